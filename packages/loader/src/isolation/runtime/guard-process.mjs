// The process-level guard of an isolated plugin: native bindings, addons, signals, the diagnostic
// report and the handle lists are taken away; built-in modules are gated on every CommonJS path
// (the request is coerced to a string once, so an object cannot answer the check one name and the
// loader another); module registration and the loader internals are taken off the Module class
// (reachable as `module.constructor`); and `process.env` shows only declared variables.
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { coerceModuleRequest } from './permission-policy.mjs';
import {
  apply,
  defineProperty,
  getOwnPropertyDescriptor,
  lockProperty,
  ownKeys,
  SafeProxy,
  SafeSet,
  setHas,
  stringStartsWith,
} from './primordials.mjs';

const { resolve: resolvePath, dirname } = path;

function isPathRequest(request) {
  return (
    stringStartsWith(request, '/') || stringStartsWith(request, './') || stringStartsWith(request, '../')
  );
}

// Variables Node itself reads while running plugin code (module loading, colours, debug logs): not
// the plugin's reads, so not reported. Undeclared ones still read as undefined.
const nodeInternalVariables = new SafeSet([
  'WATCH_REPORT_DEPENDENCIES',
  'NODE_DEBUG',
  'NODE_DEBUG_NATIVE',
  'NODE_V8_COVERAGE',
  'NODE_DISABLE_COLORS',
  'NODE_PENDING_DEPRECATION',
  'NODE_COMPILE_CACHE',
  'FORCE_COLOR',
  'NO_COLOR',
  'TERM',
  'COLORTERM',
  'CI',
  'TMUX',
  'UNDICI_NO_FG',
  'JEST_WORKER_ID',
  'NODE_CLUSTER_SCHED_POLICY',
  'NODE_UNIQUE_ID',
]);

// process members that reach native bindings, other processes, the inspector, the process image
// or its identity.
const escapeHatches = [
  ['binding', 'builtin'],
  ['_linkedBinding', 'builtin'],
  ['dlopen', 'native_addon'],
  ['kill', 'process'],
  ['_kill', 'process'],
  ['execve', 'process'],
  ['_debugProcess', 'builtin'],
  ['_debugEnd', 'builtin'],
  ['_startProfilerIdleNotifier', 'builtin'],
  ['_stopProfilerIdleNotifier', 'builtin'],
  // The process's identity: a plugin run by root could become any other user (and so reach what
  // that user can); an isolated plugin keeps the identity it was started with.
  ['setuid', 'process'],
  ['setgid', 'process'],
  ['seteuid', 'process'],
  ['setegid', 'process'],
  ['setgroups', 'process'],
  ['initgroups', 'process'],
];

// Module members that register hooks, rewrite built-in bindings, or read and write files through
// the loader's own file access (around the fs guard).
const moduleInternals = [
  'register',
  'registerHooks',
  'syncBuiltinESMExports',
  'enableCompileCache',
  'flushCompileCache',
  'getCompileCacheDir',
  'findPackageJSON',
  'runMain',
  '_preloadModules',
];

/**
 * lockProperty for a member of a built-in's exports, kept enumerable where it was: the ES module
 * namespace of a built-in is made from its enumerable members when it is first imported, which can
 * be after this guard (the runtime takes built-ins with getBuiltinModule), and it must still offer
 * the member, refusing, rather than leave it out.
 */
function lockMember(target, name, value) {
  const descriptor = getOwnPropertyDescriptor(target, name);
  defineProperty(target, name, {
    value,
    writable: false,
    enumerable: descriptor !== undefined && descriptor.enumerable === true,
    configurable: false,
  });
}

/**
 * Closes the process-level escape hatches and gates `process.getBuiltinModule` and CommonJS
 * `require` by the built-in allow-list. Call after the runtime has used `syncBuiltinESMExports`
 * and registered its own module hooks: both are taken away here.
 */
export function guardProcess(policy) {
  for (let index = 0; index < escapeHatches.length; index += 1) {
    const name = escapeHatches[index][0];
    const capability = escapeHatches[index][1];
    if (getOwnPropertyDescriptor(process, name) === undefined && !(name in process)) continue;
    lockProperty(process, name, function denied() {
      throw policy.denyEscapeHatch(capability, `process.${name}`);
    });
  }
  // The handles and requests of this thread include the runtime's own channel to the host.
  lockProperty(process, '_getActiveHandles', function _getActiveHandles() {
    return [];
  });
  lockProperty(process, '_getActiveRequests', function _getActiveRequests() {
    return [];
  });
  // process.report writes files and reveals the host's command line and environment.
  defineProperty(process, 'report', {
    get() {
      throw policy.denyEscapeHatch('builtin', 'process.report');
    },
    configurable: false,
  });
  if (typeof process.loadEnvFile === 'function') {
    const originalLoadEnvFile = process.loadEnvFile;
    lockProperty(process, 'loadEnvFile', function loadEnvFile(path = '.env') {
      return apply(originalLoadEnvFile, process, [policy.checkRead(path)]);
    });
  }
  if (typeof process.getBuiltinModule === 'function') {
    const originalGetBuiltinModule = process.getBuiltinModule;
    lockProperty(process, 'getBuiltinModule', function getBuiltinModule(id) {
      const request = coerceModuleRequest(id);
      policy.checkBuiltin(request);
      return apply(originalGetBuiltinModule, process, [request]);
    });
  }

  // CommonJS: every require (and createRequire, module.constructor._load) ends in Module._load.
  const originalLoad = Module._load;
  const isBuiltin = Module.isBuiltin;
  lockMember(Module, '_load', function _load(request, parent, isMain) {
    const text = coerceModuleRequest(request);
    if (isBuiltin(text)) policy.checkBuiltin(text);
    else if (isPathRequest(text)) {
      // A file outside the readable folders is refused before Node looks for it (where the OS
      // sandbox hides it, the refusal still names what to declare).
      const parentFile = parent !== null && typeof parent === 'object' ? parent.filename : undefined;
      const base = typeof parentFile === 'string' ? dirname(parentFile) : policy.readRoots[0];
      policy.checkRead(resolvePath(base, text), true);
    }
    return apply(originalLoad, this, [text, parent, isMain]);
  });
  // require.resolve and the loader's path search stat files through the loader's own file access:
  // a path outside the readable folders is refused before they look.
  for (const name of ['_resolveFilename', '_findPath']) {
    const original = Module[name];
    if (typeof original !== 'function') continue;
    lockMember(Module, name, function (request, ...rest) {
      const text = coerceModuleRequest(request);
      // _findPath is given paths to search, not a parent: only an absolute request is its own.
      if (!isBuiltin(text) && (name === '_findPath' ? stringStartsWith(text, '/') : isPathRequest(text))) {
        const parent = name === '_findPath' ? undefined : rest[0];
        const parentFile = parent !== null && typeof parent === 'object' ? parent.filename : undefined;
        const base = typeof parentFile === 'string' ? dirname(parentFile) : policy.readRoots[0];
        policy.checkRead(resolvePath(base, text), true);
      }
      const checked = [text];
      for (let index = 0; index < rest.length; index += 1)
        defineProperty(checked, index + 1, {
          value: rest[index],
          writable: true,
          enumerable: true,
          configurable: true,
        });
      return apply(original, this, checked);
    });
  }
  // Another process's priority (the host's, when in a worker) is not the plugin's to change.
  if (typeof os.setPriority === 'function') {
    defineProperty(os, 'setPriority', {
      value: function setPriority() {
        throw policy.denyEscapeHatch('process', 'os.setPriority');
      },
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  for (let index = 0; index < moduleInternals.length; index += 1) {
    const name = moduleInternals[index];
    if (getOwnPropertyDescriptor(Module, name) === undefined) continue;
    lockMember(Module, name, function denied() {
      throw policy.denyEscapeHatch('builtin', `module.${name}`);
    });
  }

  // The plugin was started with only the declared variables; reads of others are reported.
  const environment = process.env;
  const guardedEnvironment = new SafeProxy(environment, {
    get(target, name) {
      if (typeof name !== 'string') return undefined;
      if (!setHas(nodeInternalVariables, name) && !policy.checkEnvironment(name)) return undefined;
      const descriptor = getOwnPropertyDescriptor(target, name);
      return descriptor === undefined ? undefined : descriptor.value;
    },
    has(target, name) {
      return typeof name === 'string' && getOwnPropertyDescriptor(target, name) !== undefined;
    },
    ownKeys(target) {
      return ownKeys(target);
    },
  });
  lockProperty(process, 'env', guardedEnvironment);

  // Another channel to every thread of the process: not available to isolated plugins.
  if (typeof globalThis.BroadcastChannel === 'function') {
    globalThis.BroadcastChannel = function BroadcastChannel() {
      throw policy.denyEscapeHatch('builtin', 'BroadcastChannel');
    };
  }
}
