// Installs the in-realm policy of an isolated plugin, in the one order that works: the module gate
// first (it needs module.register / registerHooks, which are then taken away), the native-handle
// guard next (it finds the handle classes by creating a socket, a watcher and a file handle, which
// the later guards would refuse), then the fs, network and process guards, then the ES module
// namespaces of built-ins are synchronised so `import { readFileSync } from 'node:fs'` sees the
// guarded functions, and last the array prototypes are guarded. Shared by the worker and the process bootstraps.
import fs from 'node:fs';
import Module from 'node:module';
import url from 'node:url';
import { guardArrayPrototypes } from './guard-array-prototypes.mjs';
import { guardFileSystem } from './guard-file-system.mjs';
import { guardNativeHandles } from './guard-native-handles.mjs';
import { guardNetwork } from './guard-network.mjs';
import { guardProcess } from './guard-process.mjs';
import { createModuleGate } from './module-gate.mjs';
import { disarmLazilyRequiredBuiltins, neuterRefusedBuiltins } from './neuter-builtins.mjs';
import {
  defineProperty,
  getOwnPropertyDescriptor,
  objectFreeze,
  objectGetOwnPropertySymbols,
  objectGetPrototypeOf,
} from './primordials.mjs';

const runtimeFile = url.fileURLToPath(import.meta.url);
const runtimeFolder = url.fileURLToPath(new URL('.', import.meta.url));

/** Whether this Node runs module hooks in the plugin's own thread (`module.registerHooks`: 22.15, 23.5 on). */
export const hasInThreadModuleHooks = typeof Module.registerHooks === 'function';

/**
 * Registers the module gate: in-thread where Node offers it, else on a hooks thread (`asyncHooks`
 * gives the URL of the hooks module and the port its permission events go to). Returns false when
 * neither is possible (the process tier on Node 20, where the permission model forbids the hooks
 * thread): the caller then takes the refused built-ins apart instead.
 */
function registerModuleGate(policy, report, asyncHooks) {
  if (hasInThreadModuleHooks) {
    const gate = createModuleGate({ pluginId: policy.pluginId, readRoots: policy.readRoots, report });
    Module.registerHooks({
      resolve(specifier, context, nextResolve) {
        const request = gate.checkSpecifier(specifier);
        gate.checkRequestedFile(request, context.parentURL);
        const result = nextResolve(request, context);
        gate.checkResolved(result.url);
        return result;
      },
    });
    return true;
  }
  if (asyncHooks === undefined) return false;
  Module.register(asyncHooks.url, {
    data: { pluginId: policy.pluginId, readRoots: policy.readRoots, auditPort: asyncHooks.auditPort },
    transferList: [asyncHooks.auditPort],
  });
  return true;
}

/** Opens a file with the real fs to find the FileHandle classes (JavaScript and native). */
async function findFileHandlePrototypes() {
  const handle = await fs.promises.open(runtimeFile, 'r');
  const javascript = objectGetPrototypeOf(handle);
  let native;
  const symbols = objectGetOwnPropertySymbols(handle);
  for (let index = 0; index < symbols.length; index += 1) {
    const value = handle[symbols[index]];
    if (value !== null && typeof value === 'object' && typeof value.releaseFD === 'function') {
      native = objectGetPrototypeOf(value);
    }
  }
  await handle.close();
  return { javascript, native };
}

/**
 * Installs every guard of the policy. `proxy` (process tier with an OS sandbox) routes sockets
 * through the in-sandbox forwarders; `asyncHooks` is the worker's hooks-thread registration.
 * Returns whether module imports are gated by hooks (else the refused built-ins the permission
 * model leaves usable have been taken apart; see neuter-builtins).
 */
export async function installPolicy(policy, { report, proxy, asyncHooks }) {
  const gated = registerModuleGate(policy, report, asyncHooks);
  if (!gated) neuterRefusedBuiltins(policy);
  disarmLazilyRequiredBuiltins(policy);
  const fileHandles = await findFileHandlePrototypes();
  guardNativeHandles(policy, { folder: runtimeFolder, file: runtimeFile, proxy });
  const fileSystem = guardFileSystem(policy);
  fileSystem.guardFileHandleClass(fileHandles.javascript);
  if (fileHandles.native !== undefined) {
    // A native FileHandle wraps whatever descriptor it is given.
    defineProperty(fileHandles.native, 'constructor', {
      value: function FileHandle() {
        throw policy.denyEscapeHatch('filesystem_read', 'the native FileHandle constructor');
      },
      writable: false,
      configurable: false,
    });
  }
  guardNetwork(policy, { proxy });
  // Kept before guardProcess takes it off Module: run once more after, so the ES module namespace
  // of node:module sees what guardProcess left of it.
  const syncBuiltinESMExports = Module.syncBuiltinESMExports;
  syncBuiltinESMExports();
  guardProcess(policy);
  syncBuiltinESMExports();
  guardArrayPrototypes(policy);
  return gated;
}

/**
 * Freezes the prototypes a MessagePort dispatches through, so plugin code cannot replace a method
 * that runs with the runtime's own port as `this`.
 */
export function freezeMessagePortPrototypes() {
  let prototype = globalThis.MessagePort.prototype;
  while (prototype !== null && prototype !== Object.prototype) {
    objectFreeze(prototype);
    prototype = objectGetPrototypeOf(prototype);
  }
  const eventTarget = getOwnPropertyDescriptor(globalThis, 'EventTarget');
  if (eventTarget !== undefined && typeof eventTarget.value === 'function')
    objectFreeze(eventTarget.value.prototype);
}
