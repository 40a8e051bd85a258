import type { FindingCode } from '../../src/scan/finding-codes';
import type { BenignCase } from './benign-corpus';
import type { EvasionCase } from './evasion-corpus';

/**
 * Spellings from a red-team pass after issue 17 that the scan let through, by class: another
 * function's live state (`.caller`, `.arguments`, stack frames), what a parser and Node read
 * differently, keys folding could not name, TypeScript-only syntax, Node APIs the tables lacked,
 * `this` of a method taken off its object. Each is proven by running it (as the other corpora),
 * and must be reported with `finding`, the exact code; each class has look-alikes that stay clean.
 */
export interface RedTeamEvasion extends EvasionCase {
  /** The finding code the scan must report (with `capability`). */
  finding: FindingCode;
}

const SHELL = "('child_process').execSync('id')";

function evasion(
  technique: string,
  name: string,
  expected: [EvasionCase['capability'], FindingCode],
  code: string,
  filename?: string,
): RedTeamEvasion {
  const [capability, finding] = expected;
  const entry: RedTeamEvasion = { technique, name, capability, finding, code };
  if (filename !== undefined) entry.filename = filename;
  return entry;
}

function benign(technique: string, name: string, code: string, filename?: string): BenignCase {
  return filename === undefined ? { technique, name, code } : { technique, name, code, filename };
}

export const RED_TEAM_EVASIONS: readonly RedTeamEvasion[] = [
  // ---- another function's live state: the CommonJS module function's arguments hold require
  evasion(
    'introspection',
    '.caller.arguments of the module function',
    ['shell', 'REACHES_SHELL'],
    `function load() { return load.caller.arguments[1]; }\nload()${SHELL};`,
  ),
  evasion(
    'introspection',
    'arguments.callee.caller of an IIFE',
    ['shell', 'REACHES_SHELL'],
    `const load = (function () { return arguments.callee.caller.arguments[1]; })();\nload${SHELL};`,
  ),
  evasion(
    'introspection',
    '.caller read under a folded key',
    ['shell', 'REACHES_SHELL'],
    `function load() { return load['cal' + 'ler'].arguments[1]; }\nload()${SHELL};`,
  ),
  evasion(
    'introspection',
    ".arguments of the file's own function",
    ['shell', 'REACHES_SHELL'],
    `function pick() { return pick.arguments[0]; }\npick(require)${SHELL};`,
  ),
  evasion(
    'introspection',
    "a stack frame's getFunction()",
    ['shell', 'REACHES_SHELL'],
    "Error.prepareStackTrace = (error, frames) => frames;\nconst frames = new Error().stack;\nconst wrapper = frames.map((frame) => frame.getFunction()).find((fn) => fn && fn.length === 5);\nwrapper.arguments[1]('child_process').execSync('id');",
  ),
  evasion(
    'introspection',
    "a stack frame's getThis() in a sloppy function",
    ['shell', 'SHELL_EXEC'],
    "Error.prepareStackTrace = (error, frames) => frames;\nfunction self() { return new Error().stack[0].getThis(); }\nself().process.mainModule.require('child_process').execSync('id');",
  ),
  // ---- what the parser and Node read differently
  evasion(
    'parser',
    'await as a name in CommonJS (.cjs)',
    ['shell', 'SHELL_MODULE'],
    `var await = require;\nawait${SHELL};`,
  ),
  evasion(
    'parser',
    'await as a name in a .js script',
    ['shell', 'SHELL_EXEC'],
    "var await = process;\nawait.mainModule.require('child_process').execSync('id');",
    'main.js',
  ),
  // ---- keys folding could not name, or named wrongly
  evasion(
    'key',
    'an array as a key of the global object',
    ['shell', 'SHELL_EXEC'],
    "globalThis[['process']].mainModule.require('child_process').execSync('id');",
  ),
  evasion(
    'key',
    'an array as a key of child_process',
    ['shell', 'SHELL_EXEC'],
    "require('child_process')[['execSync']]('id');",
  ),
  evasion(
    'key',
    'a member of process found by for-in',
    ['env', 'REACHES_ENV'],
    'for (const key in process) if (key.length === 3 && key[0] === "e") console.log(process[key].HOME);',
  ),
  evasion(
    'key',
    'a member of process found by Reflect.ownKeys',
    ['env', 'REACHES_ENV'],
    "const key = Reflect.ownKeys(process).find((name) => name === 'e' + 'nv');\nconsole.log(process[key].HOME);",
  ),
  evasion(
    'key',
    'a global found by getOwnPropertyNames',
    ['shell', 'REACHES_SHELL'],
    "const name = Object.getOwnPropertyNames(globalThis).find((key) => key.startsWith('proc'));\nglobalThis[name].mainModule.require('child_process').execSync('id');",
  ),
  // ---- TypeScript-only syntax
  evasion(
    'typescript',
    'a parameter decorator',
    ['shell', 'SHELL_EXEC'],
    `class Holder { run(@((target: object) => require${SHELL}) value: unknown) {} }\nnew Holder();`,
    'main.ts',
  ),
  evasion(
    'typescript',
    'a parameter property with require as its default',
    ['shell', 'REACHES_SHELL'],
    `class Holder { constructor(public load: any = require) {} }\nnew Holder().load${SHELL};`,
    'main.ts',
  ),
  evasion(
    'typescript',
    'an auto-accessor field',
    ['shell', 'REACHES_SHELL'],
    `class Holder { accessor load: any = require; }\nnew Holder().load${SHELL};`,
    'main.ts',
  ),
  // ---- Node APIs that open files
  evasion(
    'node-api',
    'node:sqlite opens a database file',
    ['filesystem_write', 'FS_WRITE'],
    "const { DatabaseSync } = require('node:sqlite');\nnew DatabaseSync('/tmp/agentplug-red-team.db');",
  ),
  evasion(
    'node-api',
    'node:sqlite in memory, which ATTACH turns into any file',
    ['filesystem_write', 'FS_WRITE'],
    "const sqlite = require('node:sqlite');\nnew sqlite.DatabaseSync(':memory:').exec(\"ATTACH DATABASE '/tmp/agentplug-red-team.db' AS disk\");",
  ),
  evasion(
    'node-api',
    'node:wasi preopens the root folder',
    ['filesystem_read', 'FS_READ'],
    "const { WASI } = require('node:wasi');\nnew WASI({ version: 'preview1', preopens: { '/': '/' } });",
  ),
  evasion(
    'node-api',
    'v8.writeHeapSnapshot',
    ['filesystem_write', 'FS_WRITE'],
    "require('v8').writeHeapSnapshot('/tmp/agentplug-red-team.heapsnapshot');",
  ),
  evasion(
    'node-api',
    'module.enableCompileCache',
    ['filesystem_write', 'FS_WRITE'],
    "require('module').enableCompileCache('/tmp/agentplug-red-team-cache');",
  ),
  // ---- folds that gave a wrong known value (the scan then trusted it)
  evasion(
    'fold',
    'a string chosen by a conditional',
    ['shell', 'SHELL_MODULE'],
    "require(process.argv.length > 99 ? 'path' : 'child_' + 'process').execSync('id');",
  ),
  evasion(
    'fold',
    'a member chosen by a conditional',
    ['shell', 'REACHES_SHELL'],
    "const cp = require('child_process');\ncp[process.argv.length > 99 ? 'toString' : 'execSync']('id');",
  ),
  evasion(
    'fold',
    'JSON.parse with a reviver',
    ['shell', 'REACHES_SHELL'],
    "const name = JSON.parse('\"path\"', () => 'child_process');\nrequire(name).execSync('id');",
  ),
  evasion(
    'fold',
    "a replacement's $& pattern",
    ['shell', 'SHELL_MODULE'],
    "require('process'.replace('process', 'child_$&')).execSync('id');",
  ),
  evasion(
    'fold',
    'normalize to NFKC',
    ['shell', 'SHELL_MODULE'],
    "require('\\uff43\\uff48\\uff49\\uff4c\\uff44_process'.normalize('NFKC')).execSync('id');",
  ),
  evasion(
    'fold',
    'an array reversed in place',
    ['shell', 'SHELL_MODULE'],
    "const names = ['path', 'child_process'];\nnames.reverse();\nrequire(names[0]).execSync('id');",
  ),
  evasion(
    'fold',
    'an array spliced in place',
    ['shell', 'SHELL_MODULE'],
    "const names = ['path', 'child_process'];\nnames.splice(0, 1);\nrequire(names[0]).execSync('id');",
  ),
  evasion(
    'fold',
    'an array element written through an alias',
    ['shell', 'SHELL_MODULE'],
    "const names = ['path'];\nconst alias = names;\nalias[0] = 'child_process';\nrequire(names[0]).execSync('id');",
  ),
  evasion(
    'fold',
    'an object changed by a function it is given',
    ['shell', 'REACHES_SHELL'],
    "const names = { module: 'path' };\nfunction rename(target) { target.module = 'child_process'; }\nrename(names);\nrequire(names.module).execSync('id');",
  ),
  evasion(
    'fold',
    "a built-in method's constructor given code not known",
    ['eval', 'FUNCTION_CONSTRUCTOR'],
    "const make = Math.max.constructor;\nconst code = ['return 1'].find(Boolean);\nmake(code)();",
  ),
  // ---- this of a sloppy method taken off its object is the global object
  evasion(
    'this',
    'an object method called plainly',
    ['shell', 'SHELL_EXEC'],
    "const holder = { self() { return this; } };\nconst self = holder.self;\nself().process.mainModule.require('child_process').execSync('id');",
  ),
];

export const RED_TEAM_BENIGN: readonly BenignCase[] = [
  benign(
    'introspection',
    'a caller key of a plain object',
    "const call = { caller: 'ada' };\nconsole.log(call.caller);",
  ),
  benign(
    'introspection',
    'the arguments of a call expression node',
    'function count(node) { return node.arguments.length; }\ncount({ arguments: [] });',
  ),
  benign(
    'introspection',
    'arguments inside a function',
    'function sum() { return arguments.length; }\nsum(1, 2);',
  ),
  benign(
    'introspection',
    'stack frames read as text',
    "const line = new Error('where').stack.split('\\n')[1];\nconsole.log(line.trim().length > 0);",
  ),
  benign(
    'parser',
    'await in an async function (.cjs)',
    'async function main() { await Promise.resolve(1); }\nmain();',
  ),
  benign(
    'parser',
    'a top-level await in a .js module',
    'const value = await Promise.resolve(1);\nconsole.log(value);',
    'main.mjs',
  ),
  benign('key', 'an array as a key of a plain object', "const table = { a: 1 };\nconsole.log(table[['a']]);"),
  benign(
    'key',
    'process.versions by computed keys',
    'for (const key of Object.keys(process.versions)) console.log(process.versions[key].length);',
  ),
  benign(
    'key',
    'for-in over a plain object',
    'const table = { a: { x: 1 } };\nfor (const key in table) console.log(table[key].x);',
  ),
  benign(
    'typescript',
    'a parameter decorator that records metadata',
    'const seen: unknown[] = [];\nconst note = (target: object) => { seen.push(target); };\nclass Holder { run(@note value: unknown) {} }\nnew Holder();',
    'main.ts',
  ),
  benign(
    'typescript',
    'a parameter property with a literal default',
    "class Holder { constructor(public name = 'ada') {} }\nconsole.log(new Holder().name);",
    'main.ts',
  ),
  benign(
    'typescript',
    'an auto-accessor with a literal',
    'class Holder { accessor count = 1; }\nconsole.log(new Holder().count);',
    'main.ts',
  ),
  benign(
    'node-api',
    'v8 heap statistics',
    "console.log(require('v8').getHeapStatistics().total_heap_size > 0);",
  ),
  benign('node-api', 'the list of built-in modules', "console.log(require('module').builtinModules.length);"),
  benign(
    'this',
    'an object method taken off its object that returns data',
    'const holder = { size() { return 1; } };\nconst size = holder.size;\nconsole.log(size());',
  ),
  benign(
    'this',
    'an object method returning this, called on its object',
    'const holder = { self() { return this; } };\nconsole.log(holder.self() === holder);',
  ),
  benign(
    'fold',
    'a module chosen between two safe ones',
    "const path = require(process.platform === 'win32' ? 'path/win32' : 'path/posix');\nconsole.log(path.sep);",
  ),
  benign(
    'fold',
    'an array sorted and joined',
    "const names = ['b', 'a'];\nnames.sort();\nconsole.log(names.join(','));",
  ),
  benign(
    'fold',
    'JSON.parse with a reviver of data',
    'console.log(JSON.parse(\'{"a":1}\', (key, value) => value).a);',
  ),
  benign('fold', 'a string normalized', "console.log('caf\\u00e9'.normalize('NFD').length);"),
];
