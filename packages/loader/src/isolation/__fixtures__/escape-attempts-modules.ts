import { join } from 'node:path';
import {
  commonJs,
  type EscapeAttempt,
  esm,
  hasInThreadModuleHooks,
  importsGated,
  spawnMarker,
} from './escape-attempt';

// Built-in modules, the module loader and the process object: every way to load what is refused,
// to run code outside the policy, or to reach native bindings and other processes.

const refusedUse: Record<string, string> = {
  vm: `vm.runInNewContext('1 + 1');`,
  worker_threads: `new vm.Worker('1', { eval: true });`,
  inspector: `new vm.Session().connect();`,
  cluster: `vm.fork();`,
  v8: `vm.setFlagsFromString('--allow-natives-syntax');`,
  wasi: `new vm.WASI({ version: 'preview1' });`,
  trace_events: `vm.createTracing({ categories: ['node'] }).enable();`,
};

export const moduleAttempts: EscapeAttempt[] = [
  {
    name: 'static import of child_process',
    files: () => esm(`${spawnMarker};`, 'import * as cp from "node:child_process";'),
    stage: (tier) => (importsGated(tier) ? 'load' : 'call'),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'dynamic import of child_process',
    files: () => esm(`const cp = await import('child_process'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'require of child_process from CommonJS',
    files: () => commonJs(`const cp = require('node:child_process'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'createRequire from node:module',
    files: () =>
      esm(
        `const { createRequire } = await import('node:module'); const cp = createRequire(import.meta.url)('child_process'); ${spawnMarker};`,
      ),
    capability: 'builtin',
    mentions: ['node:module', 'node:child_process'],
  },
  {
    name: 'module.constructor.createRequire from CommonJS',
    files: () =>
      commonJs(`const cp = module.constructor.createRequire(__filename)('child_process'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'module.constructor._load with an object whose toString names child_process',
    files: () =>
      commonJs(
        `const cp = module.constructor._load({ toString() { return 'node:child_process'; } }, module, false); ${spawnMarker};`,
      ),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'module.constructor._load with a String object naming worker_threads',
    files: () =>
      commonJs(`const { Worker } = module.constructor._load(new String('node:worker_threads'), module, false);
new Worker("require('node:child_process').execSync('touch ' + " + JSON.stringify(c.marker) + ")", { eval: true });`),
    capability: 'builtin',
    mentions: ['node:worker_threads'],
  },
  {
    name: 'module.constructor._load with a request that answers the check one name and the loader another',
    files: () =>
      commonJs(`let calls = 0;
const cp = module.constructor._load({ toString() { calls += 1; return calls === 1 ? 'node:path' : 'node:child_process'; } }, module, false);
${spawnMarker};`),
    outcome: 'failed',
  },
  {
    name: 'process.getBuiltinModule with a request that changes between check and load',
    files: () =>
      esm(`let calls = 0;
const cp = process.getBuiltinModule({ toString() { calls += 1; return calls === 1 ? 'node:path' : 'node:child_process'; } });
${spawnMarker};`),
    outcome: 'failed',
  },
  {
    name: 'module.constructor.register of module hooks (code on a hooks thread with no guard)',
    files: () =>
      commonJs(`module.constructor.register('data:text/javascript,' + encodeURIComponent("import { execSync } from 'node:child_process'; execSync('touch ' + " + JSON.stringify(c.marker) + ");"));
await import('node:path');`),
    capability: 'builtin',
    mentions: ['module.register'],
  },
  {
    name: 'register imported from node:module',
    files: () =>
      esm(`const { register } = await import('node:module');
register('data:text/javascript,' + encodeURIComponent("import { execSync } from 'node:child_process'; execSync('touch ' + " + JSON.stringify(c.marker) + ");"));
await import('node:os');`),
    capability: 'builtin',
    mentions: ['node:module', 'module.register', 'node:worker_threads'],
  },
  ...(hasInThreadModuleHooks
    ? [
        {
          name: 'module.constructor.registerHooks that would answer any import',
          files: () =>
            commonJs(`module.constructor.registerHooks({ resolve(specifier, context, next) { return next(specifier === 'node:os' ? 'node:child_process' : specifier, context); } });
const cp = require('node:os'); ${spawnMarker};`),
          capability: 'builtin',
          mentions: ['module.registerHooks'],
        } satisfies EscapeAttempt,
      ]
    : []),
  {
    name: 'module.constructor.syncBuiltinESMExports after replacing a guarded function',
    files: () =>
      commonJs(`const fs = require('node:fs'); const guarded = fs.readFileSync;
module.constructor.syncBuiltinESMExports();`),
    capability: 'builtin',
    mentions: ['module.syncBuiltinESMExports'],
  },
  {
    name: 'module.constructor.enableCompileCache writing outside the declared paths',
    files: (context) =>
      commonJs(`if (typeof module.constructor.enableCompileCache !== 'function') throw Object.assign(new Error('Permission denied: module.enableCompileCache is absent'), { code: 'PERMISSION_DENIED' });
module.constructor.enableCompileCache(${JSON.stringify(join(context.config.root, 'compile-cache'))});`),
    outcome: 'failed',
  },
  {
    name: 'require.resolve and module.constructor._findPath probing files outside',
    files: () =>
      commonJs(`const outcomes = [];
for (const probe of [() => require.resolve(c.secret), () => module.constructor._findPath(c.secret, [])]) {
  try { outcomes.push(probe()); } catch (error) { outcomes.push(error); }
}
if (outcomes.every((outcome) => outcome && outcome.code === 'PERMISSION_DENIED')) throw outcomes[0];
return outcomes.map((outcome) => (typeof outcome === 'string' ? outcome : outcome.code));`),
    capability: 'filesystem_read',
    mentions: ['to permissions.filesystem_read'],
  },
  {
    name: 'changing the priority of the host process',
    files: () => esm(`os.setPriority(process.ppid, 19);`, 'import os from "node:os";'),
    capability: 'process',
    mentions: ['os.setPriority'],
  },
  {
    name: 'calling the native constructors a handle reveals without new (a C++ assertion would abort the process)',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
const handle = socket[Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')].handle;
const directory = fs.opendirSync(new URL('.', import.meta.url));
// Node 24 keeps a directory's handle in a private field: then it is out of reach.
const directorySymbol = Object.getOwnPropertySymbols(directory).find((symbol) => String(symbol).includes('DirHandle'));
const constructors = [Object.getPrototypeOf(handle).constructor, Object.getPrototypeOf(new dns.Resolver()._handle).constructor];
if (directorySymbol !== undefined) constructors.push(Object.getPrototypeOf(directory[directorySymbol]).constructor);
directory.closeSync();
const refusals = [];
for (const constructor of constructors) {
  try { constructor('/'); } catch (error) { refusals.push(error); }
}
if (refusals.length === constructors.length && refusals.every((error) => error.code === 'PERMISSION_DENIED')) throw refusals[0];
return refusals.length;`,
        'import dgram from "node:dgram"; import dns from "node:dns"; import fs from "node:fs";',
      ),
    capability: 'builtin',
    mentions: ['native handle constructor'],
  },
  {
    name: "process.binding('spawn_sync')",
    files: () =>
      esm(`process.binding('spawn_sync').spawn({ file: 'touch', args: ['touch', c.marker], stdio: [] });`),
    capability: 'builtin',
    mentions: ['process.binding'],
  },
  {
    name: 'process._linkedBinding',
    files: () => esm(`process._linkedBinding('spawn_sync');`),
    capability: 'builtin',
    mentions: ['process._linkedBinding'],
  },
  {
    name: 'process.getBuiltinModule of child_process',
    files: () => esm(`const cp = process.getBuiltinModule('child_process'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'eval to reach require from CommonJS',
    files: () => commonJs(`const cp = eval('require')('child_process'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'indirect eval and Function to reach a module loader from ES modules',
    files: () =>
      esm(`if (new Function('return typeof require')() !== 'undefined') return 'require leaked';
const cp = await (0, eval)('import("node:child_process")'); ${spawnMarker};`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'a data: URL module that imports child_process',
    files: () =>
      esm(
        `const cp = await import('data:text/javascript,' + encodeURIComponent("export * from 'node:child_process';")); ${spawnMarker};`,
      ),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'loading a native addon with require',
    files: () => ({ ...commonJs(`require('./addon.node');`), 'addon.node': 'not really a shared object' }),
    capability: 'native_addon',
    mentions: ['process.dlopen'],
  },
  {
    name: 'module.require and Module.prototype.require called on another module object',
    files: () =>
      commonJs(`const refusals = [];
for (const load of [() => module.require('node:child_process'), () => module.constructor.prototype.require.call(new module.constructor('x'), 'child_process')]) {
  try { const cp = load(); ${spawnMarker}; } catch (error) { refusals.push(error); }
}
if (refusals.length === 2 && refusals.every((error) => error.code === 'PERMISSION_DENIED')) throw refusals[0];
return refusals.length;`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'process.getBuiltinModule of node:module, then register',
    files: () =>
      esm(`const Module = process.getBuiltinModule('node:module');
Module.register('data:text/javascript,' + encodeURIComponent("import { execSync } from 'node:child_process'; execSync('touch ' + " + JSON.stringify(c.marker) + ");"));
await import('node:os');`),
    capability: 'builtin',
    mentions: ['node:module', 'module.register'],
  },
  {
    name: 'a native addon through Module._extensions[".node"]',
    files: () => ({
      ...commonJs(`module.constructor._extensions['.node']({ exports: {} }, __dirname + '/addon.node');`),
      'addon.node': 'not really a shared object',
    }),
    capability: 'native_addon',
    mentions: ['process.dlopen'],
  },
  {
    name: 'process.dlopen directly',
    files: () => esm(`process.dlopen({ exports: {} }, c.secret);`),
    capability: 'native_addon',
    mentions: ['process.dlopen'],
  },
  ...Object.entries(refusedUse).map(
    ([name, use]): EscapeAttempt => ({
      name: `using node:${name}`,
      files: () => esm(`const vm = await import('node:${name}'); ${use}`),
      capability: 'builtin',
      mentions: name === 'cluster' ? ['node:cluster', 'node:child_process'] : [`node:${name}`],
    }),
  ),
  {
    name: 'dynamic import of node:repl',
    files: () => esm(`await import('node:repl');`),
    // A REPL is eval over streams: nothing the plugin's own realm cannot do. Refused where imports
    // are gated; elsewhere importing it is no escape.
    appliesTo: importsGated,
    capability: 'builtin',
    mentions: ['node:repl'],
  },
  {
    name: 'signalling the host process',
    files: () => esm(`process.kill(process.ppid ?? process.pid, 'SIGTERM');`),
    capability: 'process',
    mentions: ['process.kill'],
  },
  {
    name: 'replacing the process image with process.execve',
    files: () =>
      esm(`if (typeof process.execve !== 'function') { const error = new Error('Permission denied: process.execve is absent here'); error.code = 'PERMISSION_DENIED'; throw error; }
process.execve('/bin/sh', ['sh', '-c', 'touch ' + c.marker]);`),
    outcome: 'failed',
  },
  {
    name: 'the diagnostic report',
    files: () => esm(`return process.report.getReport();`),
    capability: 'builtin',
    mentions: ['process.report'],
  },
  {
    name: 'a BroadcastChannel to other threads',
    files: () => esm(`new BroadcastChannel('agentplug-host').postMessage('hello');`),
    capability: 'builtin',
    mentions: ['BroadcastChannel'],
  },
];
