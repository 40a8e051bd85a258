import Module from 'node:module';
import {
  apply,
  defineProperty,
  getOwnPropertyDescriptor,
  ownKeys,
  SafeProxy,
  SafeSet,
  SafeString,
  setHas,
} from './primordials.mjs';

// Variables Node itself reads while running plugin code (module loading, colours, debug logs): not
// the plugin's reads, so not reported. Undeclared ones still read as undefined.
const nodeInternalVariables = new SafeSet([
  'WATCH_REPORT_DEPENDENCIES',
  'NODE_DEBUG',
  'NODE_DEBUG_NATIVE',
  'NODE_V8_COVERAGE',
  'NODE_DISABLE_COLORS',
  'NODE_PENDING_DEPRECATION',
  'FORCE_COLOR',
  'NO_COLOR',
  'TERM',
  'COLORTERM',
  'CI',
  'TMUX',
]);

// process members that reach native bindings, other processes, the inspector or files.
const escapeHatches = [
  'binding',
  '_linkedBinding',
  'dlopen',
  'kill',
  '_kill',
  '_debugProcess',
  '_debugEnd',
  '_startProfilerIdleNotifier',
  '_stopProfilerIdleNotifier',
];

/**
 * Closes the process-level escape hatches (native bindings, native addons, signals to other
 * processes, the diagnostic report), gates `process.getBuiltinModule` and CommonJS `require` by
 * the built-in allow-list, and wraps `process.env` so reads of undeclared variables are reported.
 */
export function guardProcess(policy) {
  for (const name of escapeHatches) {
    if (!(name in process)) continue;
    const capability =
      name === 'dlopen' ? 'native_addon' : name === 'kill' || name === '_kill' ? 'process' : 'builtin';
    defineProperty(process, name, {
      value: function denied() {
        throw policy.denyEscapeHatch(capability, `process.${name}`);
      },
      writable: false,
      configurable: false,
    });
  }
  // process.report writes files and reveals the host's command line and environment.
  defineProperty(process, 'report', {
    get() {
      throw policy.denyEscapeHatch('builtin', 'process.report');
    },
    configurable: false,
  });
  if (typeof process.loadEnvFile === 'function') {
    const originalLoadEnvFile = process.loadEnvFile;
    defineProperty(process, 'loadEnvFile', {
      value: function loadEnvFile(path = '.env') {
        return apply(originalLoadEnvFile, process, [policy.checkRead(path)]);
      },
      writable: false,
      configurable: false,
    });
  }
  if (typeof process.getBuiltinModule === 'function') {
    const originalGetBuiltinModule = process.getBuiltinModule;
    defineProperty(process, 'getBuiltinModule', {
      value: function getBuiltinModule(id) {
        policy.checkBuiltin(SafeString(id));
        return apply(originalGetBuiltinModule, process, [id]);
      },
      writable: false,
      configurable: false,
    });
  }

  // CommonJS: every require (and createRequire, module.constructor._load) ends in Module._load.
  const originalLoad = Module._load;
  const isBuiltin = Module.isBuiltin;
  Module._load = function _load(request, parent, isMain) {
    if (typeof request === 'string' && isBuiltin(request)) policy.checkBuiltin(request);
    return apply(originalLoad, this, [request, parent, isMain]);
  };

  // The worker was started with only the declared variables; reads of others are reported.
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
  defineProperty(process, 'env', { value: guardedEnvironment, writable: false, configurable: false });

  // Another channel to every thread of the process: not available to isolated plugins.
  if (typeof globalThis.BroadcastChannel === 'function') {
    globalThis.BroadcastChannel = function BroadcastChannel() {
      throw policy.denyEscapeHatch('builtin', 'BroadcastChannel');
    };
  }
}
