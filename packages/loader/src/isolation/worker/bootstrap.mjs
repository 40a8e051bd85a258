// The entry of an isolated plugin's worker. Plain JavaScript, so Node runs it as is from the
// TypeScript sources (tests) and from dist (the build copies this folder). Order matters: every
// module the policy needs is imported first, then the policy is installed, and only then is the
// plugin's entry module imported.
import { syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { guardFileSystem } from './guard-file-system.mjs';
import { guardNetwork } from './guard-network.mjs';
import { guardProcess } from './guard-process.mjs';
import { installModuleGate } from './install-module-gate.mjs';
import { createPermissionPolicy } from './permission-policy.mjs';
import {
  apply,
  functionToString,
  objectGetOwnPropertyNames,
  objectGetPrototypeOf,
  portPostMessage,
  regexpExec,
} from './primordials.mjs';

const { pluginId, pluginPath, entryModulePath, metadata, config, permissions, callPort, auditPort } =
  workerData;

function post(message) {
  portPostMessage(callPort, message);
}

/** A plain, cloneable form of anything thrown: name, message, stack, code, details. */
function serializeError(error) {
  if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
    return { name: 'Error', message: String(error), stack: undefined };
  }
  const serialized = {
    name: String(error.name ?? 'Error'),
    message: String(error.message ?? ''),
    stack: typeof error.stack === 'string' ? error.stack : undefined,
  };
  if (typeof error.code === 'string') serialized.code = error.code;
  // A PluginError from any copy of @agentplug/models carries this brand, whatever its subclass name.
  if (
    error[Symbol.for('@agentplug/models/PluginError')] === true &&
    !/^Plugin\w*Error$/.test(serialized.name)
  ) {
    serialized.name = 'PluginError';
  }
  if (error.details !== null && typeof error.details === 'object') {
    try {
      serialized.details = structuredClone(error.details);
    } catch {
      // Details that cannot cross the boundary are dropped; the message still does.
    }
  }
  if (error.cause !== undefined && error.cause !== error) {
    serialized.cause = serializeError(error.cause);
  }
  return serialized;
}

const policy = createPermissionPolicy({
  pluginId,
  pluginPath,
  permissions,
  report(capability, target, allowed) {
    post({ type: 'permission', capability, target, allowed });
  },
});

installModuleGate({ policy, pluginId, auditPort });
guardFileSystem(policy);
guardNetwork(policy);
guardProcess(policy);
// ES module namespaces of built-ins (import { readFileSync } from 'node:fs') see the guarded functions.
syncBuiltinESMExports();

function isClass(value) {
  if (regexpExec(/^class[\s{]/, functionToString(value)) !== null) return true;
  const prototype = value.prototype;
  return prototype !== undefined && objectGetOwnPropertyNames(prototype).length > 1;
}

function pickExport(moduleExports) {
  if (typeof moduleExports.Plugin === 'function') return { kind: 'class', value: moduleExports.Plugin };
  if (typeof moduleExports.createPlugin === 'function')
    return { kind: 'factory', value: moduleExports.createPlugin };
  const fallback = moduleExports.default;
  if (typeof fallback === 'function')
    return { kind: isClass(fallback) ? 'class' : 'factory', value: fallback };
  if (typeof fallback === 'object' && fallback !== null && fallback !== moduleExports)
    return pickExport(fallback);
  return undefined;
}

function createEntryInvalidError(message) {
  const error = new Error(message);
  error.name = 'PluginError';
  error.code = 'ENTRY_INVALID';
  error.details = { entryModulePath };
  return error;
}

/** Every callable member of the instance, own or inherited, except Object's. */
function listMethods(instance) {
  const names = new Set();
  let current = instance;
  while (current !== null && current !== Object.prototype && current !== Function.prototype) {
    for (const name of objectGetOwnPropertyNames(current)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(current, name);
      if (descriptor !== undefined && typeof descriptor.value === 'function') names.add(name);
    }
    current = objectGetPrototypeOf(current);
  }
  return [...names];
}

async function instantiate() {
  const moduleExports = await import(pathToFileURL(entryModulePath).href);
  const picked = pickExport(moduleExports);
  if (picked === undefined) {
    throw createEntryInvalidError(
      `${entryModulePath} exports no Plugin class, createPlugin factory or default export of either`,
    );
  }
  const instance =
    picked.kind === 'class' ? new picked.value(metadata, config) : await picked.value(metadata, config);
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null) {
    throw createEntryInvalidError(`the factory of ${entryModulePath} returned no object`);
  }
  return instance;
}

// The plugin's own time starts now: starting the worker and installing the policy is not its doing.
post({ type: 'booted' });
let instance;
try {
  instance = await instantiate();
} catch (error) {
  post({ type: 'load-failed', error: serializeError(error) });
  // Stay alive until the host terminates the worker. A pending promise alone does not keep the
  // event loop running: the worker would end by itself, and its exit could reach the host before
  // this message, turning the load failure into a crash report. A referenced timer holds it open.
  setInterval(() => {}, 2 ** 30);
  await new Promise(() => {});
}

async function runCall(message) {
  const method = instance[message.method];
  if (typeof method !== 'function') {
    if (message.optional) return undefined;
    const error = new Error(`plugin "${pluginId}" has no method "${message.method}"`);
    error.name = 'PluginError';
    error.code = 'INVALID_ARGUMENT';
    throw error;
  }
  return apply(method, instance, message.args);
}

callPort.on('message', (message) => {
  runCall(message).then(
    (value) => {
      try {
        post({ type: 'result', id: message.id, value });
      } catch (error) {
        post({ type: 'error', id: message.id, error: serializeError(error) });
      }
    },
    (error) => {
      post({ type: 'error', id: message.id, error: serializeError(error) });
    },
  );
});
post({ type: 'ready', methods: listMethods(instance) });
