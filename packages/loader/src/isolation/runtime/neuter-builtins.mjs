// Refused built-ins whose module a plugin could get hold of without importing it.
// - Where no module hook can refuse a built-in import (the process tier on Node versions without
//   in-thread hooks, whose permission model forbids the hooks thread), the refused built-ins that
//   Node's permission model does not already stop in C++ are taken apart: every member of their
//   exports becomes a function that throws PERMISSION_DENIED, before plugin code runs (the ES module
//   namespaces follow at the next syncBuiltinESMExports). child_process, worker_threads, cluster,
//   inspector and wasi are stopped by the permission model itself.
// - In every tier, the refused built-ins that Node's own lazily loaded code requires lose their
//   powerful members. Undici (fetch, Request, WebSocket) is the one dependency of Node that is not
//   written against primordials and requires refused built-ins: node:worker_threads, and from Node
//   22.5 node:sqlite. It loads on first use, in the plugin's realm, so a plugin that first puts a
//   getter on Object.prototype (Node 20 reads `markAsUncloneable` off worker_threads) or replaces
//   Object.defineProperty (Node 24 names its lazy `require('node:sqlite')` and
//   `require('node:worker_threads')` with it) is handed the module. With its members taken apart
//   the module is worth nothing however it is reached, and undici can load when it is first used
//   instead of at every start.
import {
  defineProperty,
  getOwnPropertyDescriptor,
  objectGetOwnPropertyNames,
  objectHasOwn,
} from './primordials.mjs';

// Not a require(): the in-thread module gate, registered first, refuses these built-ins to require()
// too. getBuiltinModule (Node 20.16 on) goes around module hooks and answers undefined for a
// built-in this Node does not have.
const getBuiltinModule = process.getBuiltinModule;

/** Built-ins the permission model leaves usable that isolated plugins may not have. */
const neutered = ['v8', 'vm', 'trace_events'];

/**
 * The members of refused built-ins that Node's lazily loaded code requires which reach beyond the
 * plugin: other threads and what the host shares with them (a thread without the policy, messages
 * to any thread, the environment data and locks the host shares, this worker's own channel to the
 * host in workerData), and files opened natively by SQLite. What stays (MessageChannel,
 * MessagePort, markAsUncloneable, ...) is what undici uses.
 */
const disarmed = [
  [
    'worker_threads',
    [
      'Worker',
      'BroadcastChannel',
      'postMessageToThread',
      'setEnvironmentData',
      'getEnvironmentData',
      'locks',
      'workerData',
      'parentPort',
    ],
  ],
  ['sqlite', ['DatabaseSync', 'StatementSync', 'Session', 'backup']],
];

function loadBuiltin(name) {
  try {
    return getBuiltinModule(`node:${name}`);
  } catch {
    // Not available in this thread (trace_events in a worker): nothing to take apart.
    return undefined;
  }
}

function refuse(policy, exports, name, key) {
  const descriptor = getOwnPropertyDescriptor(exports, key);
  if (descriptor === undefined || !descriptor.configurable) return;
  defineProperty(exports, key, {
    value: function refused() {
      throw policy.denyEscapeHatch('builtin', `node:${name} (${key})`);
    },
    writable: false,
    enumerable: descriptor.enumerable,
    configurable: false,
  });
}

/** Replaces every member of the neutered built-ins with a function that refuses. */
export function neuterRefusedBuiltins(policy) {
  for (let index = 0; index < neutered.length; index += 1) {
    const name = neutered[index];
    const exports = loadBuiltin(name);
    if (exports === undefined) continue;
    const members = objectGetOwnPropertyNames(exports);
    for (let member = 0; member < members.length; member += 1) refuse(policy, exports, name, members[member]);
  }
}

/**
 * Takes the powerful members off the refused built-ins Node's lazily loaded code requires (see the
 * top of this file): functions become functions that refuse, data (workerData, parentPort) null.
 * The caller has already read what it needs from them.
 */
export function disarmLazilyRequiredBuiltins(policy) {
  for (let index = 0; index < disarmed.length; index += 1) {
    const name = disarmed[index][0];
    const members = disarmed[index][1];
    const exports = loadBuiltin(name);
    if (exports === undefined) continue;
    for (let member = 0; member < members.length; member += 1) {
      const key = members[member];
      if (!objectHasOwn(exports, key)) continue;
      const descriptor = getOwnPropertyDescriptor(exports, key);
      if (typeof descriptor.value === 'function' || typeof descriptor.get === 'function') {
        refuse(policy, exports, name, key);
      } else if (descriptor.configurable) {
        defineProperty(exports, key, {
          value: null,
          writable: false,
          enumerable: descriptor.enumerable,
          configurable: false,
        });
      }
    }
  }
}
