// Where no module hook can refuse a built-in import (the process tier on Node versions without
// in-thread hooks, whose permission model forbids the hooks thread), the refused built-ins that
// Node's permission model does not already stop in C++ are taken apart instead: every member of
// their exports becomes a function that throws PERMISSION_DENIED, before plugin code runs (the ES
// module namespaces follow at the next syncBuiltinESMExports). child_process, worker_threads,
// cluster, inspector and wasi are stopped by the permission model itself.
import Module from 'node:module';
import { defineProperty, getOwnPropertyDescriptor, objectGetOwnPropertyNames } from './primordials.mjs';

const require = Module.createRequire(import.meta.url);

/** Built-ins the permission model leaves usable that isolated plugins may not have. */
const neutered = ['v8', 'vm', 'trace_events'];

/** Replaces every member of the neutered built-ins with a function that refuses. */
export function neuterRefusedBuiltins(policy) {
  for (let index = 0; index < neutered.length; index += 1) {
    const name = neutered[index];
    let exports;
    try {
      exports = require(`node:${name}`);
    } catch {
      // Not available here at all (trace_events in a worker): nothing to take apart.
      continue;
    }
    const members = objectGetOwnPropertyNames(exports);
    for (let member = 0; member < members.length; member += 1) {
      const key = members[member];
      const descriptor = getOwnPropertyDescriptor(exports, key);
      if (descriptor === undefined || !descriptor.configurable) continue;
      defineProperty(exports, key, {
        value: function refused() {
          throw policy.denyEscapeHatch('builtin', `node:${name} (${key})`);
        },
        writable: false,
        enumerable: descriptor.enumerable,
        configurable: false,
      });
    }
  }
}
