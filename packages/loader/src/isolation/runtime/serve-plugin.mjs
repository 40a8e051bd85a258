// The plugin side of the call channel, shared by the worker and the process tiers: imports the
// entry module, makes the plugin, reports its methods, and answers calls. It runs after plugin code
// has run, so it uses captured intrinsics only, and every value it sends is copied into bytes
// first (a SharedArrayBuffer cannot ride along, and nothing of the plugin's realm crosses).
import asyncHooks from 'node:async_hooks';
import url from 'node:url';
import v8 from 'node:v8';
import { pickPluginExport } from './pick-plugin-export.mjs';
import {
  apply,
  construct,
  defineProperty,
  getOwnPropertyDescriptor,
  objectGetOwnPropertyNames,
  objectGetPrototypeOf,
  objectHasOwn,
  promiseResolve,
  promiseThen,
  regexpExec,
  SafeError,
  SafeSet,
  SafeString,
  SafeWeakSet,
  setAdd,
  setHas,
  stringSlice,
  symbolFor,
  uncurryThis,
  weakSetAdd,
  weakSetHas,
} from './primordials.mjs';

// Captured now, as every member of a built-in the runtime uses after plugin code has run.
const { AsyncResource } = asyncHooks;
const serialize = v8.serialize;
const pathToFileURL = url.pathToFileURL;
const pluginErrorBrand = symbolFor('@agentplug/models/PluginError');
const pluginErrorName = /^Plugin\w*Error$/;
const runInAsyncScope = uncurryThis(AsyncResource.prototype.runInAsyncScope);
const ObjectPrototype = Object.prototype;
const FunctionPrototype = Function.prototype;
const maximumText = 65_536;
const maximumMethods = 4_096;

function readText(value, fallback) {
  if (value === undefined || value === null) return fallback;
  const text = SafeString(value);
  return text.length > maximumText ? stringSlice(text, 0, maximumText) : text;
}

/**
 * The most a result may take on its way to the host: the process tier's frame limit. In a worker
 * the host's own heap receives the copy, so a plugin returning a huge string or buffer would grow
 * the host's memory by as much (and more, while it is decoded), call after call.
 */
export const maximumResultBytes = 64 * 1024 * 1024;
const tooLargeErrors = new SafeWeakSet();

/** The error a result over {@link maximumResultBytes} ends in (the process channel throws it too). */
export function createResultTooLargeError(size) {
  const error = new SafeError(
    `the result is ${size} bytes, more than the ${maximumResultBytes} a result may take: return less (page it), or write it to a declared file`,
  );
  defineProperty(error, 'name', { value: 'PluginError', writable: true, configurable: true });
  defineProperty(error, 'code', { value: 'TOO_LARGE', enumerable: true, configurable: true });
  weakSetAdd(tooLargeErrors, error);
  return error;
}

/** A string's size in bytes at most (two per UTF-16 unit). */
function checkStringResult(value) {
  if (typeof value === 'string' && value.length * 2 > maximumResultBytes) {
    throw createResultTooLargeError(value.length * 2);
  }
}

/**
 * Encodes a value the host will decode into its own copy; primitives travel as they are. A result
 * over {@link maximumResultBytes} is refused here, before any of it reaches the host.
 */
export function encodeValue(value) {
  const kind = typeof value;
  if (value === undefined || value === null || kind === 'boolean' || kind === 'number' || kind === 'string') {
    checkStringResult(value);
    return { value };
  }
  const encoded = serialize(value);
  if (encoded.length > maximumResultBytes) throw createResultTooLargeError(encoded.length);
  return { encoded };
}

/** A plain, cloneable form of anything thrown: name, message, stack, code, details (as bytes), cause. */
export function serializeError(error, depth = 0) {
  try {
    if (error === null || (typeof error !== 'object' && typeof error !== 'function')) {
      return { name: 'Error', message: readText(error, String(error)) };
    }
    let name = readText(error.name, 'Error');
    const serialized = { name, message: readText(error.message, '') };
    const stack = error.stack;
    if (typeof stack === 'string') serialized.stack = readText(stack, '');
    const code = error.code;
    if (typeof code === 'string') serialized.code = readText(code, '');
    // A PluginError from any copy of @agentplug/models carries this brand, whatever its subclass name.
    if (error[pluginErrorBrand] === true && regexpExec(pluginErrorName, name) === null) {
      name = 'PluginError';
      serialized.name = name;
    }
    const details = error.details;
    if (details !== null && typeof details === 'object') {
      try {
        const encodedDetails = serialize(details);
        // Details too large to cross are dropped like details that cannot be copied.
        if (encodedDetails.length <= maximumResultBytes / 2) serialized.details = encodedDetails;
      } catch {
        // Details that cannot be copied are dropped; the message still goes.
      }
    }
    const cause = error.cause;
    if (cause !== undefined && cause !== error && depth < 8)
      serialized.cause = serializeError(cause, depth + 1);
    return serialized;
  } catch {
    return { name: 'Error', message: 'the plugin threw an error that cannot be read' };
  }
}

/** Every callable member of the instance, own or inherited, except Object's. */
function listMethods(instance) {
  const names = new SafeSet();
  const list = [];
  let current = instance;
  let depth = 0;
  while (current !== null && current !== ObjectPrototype && current !== FunctionPrototype && depth < 64) {
    const own = objectGetOwnPropertyNames(current);
    for (let index = 0; index < own.length && list.length < maximumMethods; index += 1) {
      const name = own[index];
      if (name === 'constructor' || setHas(names, name)) continue;
      const descriptor = getOwnPropertyDescriptor(current, name);
      if (
        descriptor !== undefined &&
        objectHasOwn(descriptor, 'value') &&
        typeof descriptor.value === 'function'
      ) {
        setAdd(names, name);
        defineProperty(list, list.length, {
          value: name,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
    }
    current = objectGetPrototypeOf(current);
    depth += 1;
  }
  return list;
}

function createEntryInvalidError(entryModulePath, message) {
  const error = new SafeError(message);
  defineProperty(error, 'name', { value: 'PluginError', writable: true, configurable: true });
  defineProperty(error, 'code', { value: 'ENTRY_INVALID', enumerable: true, configurable: true });
  defineProperty(error, 'details', { value: { entryModulePath }, enumerable: true, configurable: true });
  return error;
}

async function instantiate({ entryModulePath, metadata, config }) {
  const moduleExports = await import(pathToFileURL(entryModulePath).href);
  const picked = pickPluginExport(moduleExports);
  if (picked === undefined) {
    throw createEntryInvalidError(
      entryModulePath,
      `${entryModulePath} exports no Plugin class, createPlugin factory or default export of either`,
    );
  }
  const instance =
    picked.kind === 'class'
      ? construct(picked.value, [metadata, config])
      : await apply(picked.value, undefined, [metadata, config]);
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null) {
    throw createEntryInvalidError(entryModulePath, `the factory of ${entryModulePath} returned no object`);
  }
  return instance;
}

/** Leaves a value as it is: for channels that copy every message into bytes themselves. */
export function keepValue(value) {
  return { value };
}

/**
 * Loads the plugin and serves calls. `post(message)` sends to the host (and throws when a message
 * cannot be sent); `listen(handler)` registers the handler of the host's call messages
 * `{ id, method, args, optional }`; `encode` turns a result into `{ value }` or `{ encoded }`;
 * `describeError` turns a thrown value into what crosses (default {@link serializeError}).
 */
export async function servePlugin({
  pluginId,
  entryModulePath,
  metadata,
  config,
  post,
  listen,
  encode = keepValue,
  describeError = serializeError,
}) {
  // The plugin's own time starts now: starting the runtime and installing the policy is not its doing.
  post({ type: 'booted' });
  let instance;
  try {
    instance = await instantiate({ entryModulePath, metadata, config });
  } catch (error) {
    post({ type: 'load-failed', error: describeError(error) });
    return false;
  }

  function runCall(methodName, args, optional) {
    const method = instance[methodName];
    if (typeof method !== 'function') {
      if (optional) return undefined;
      const error = new SafeError(`plugin "${pluginId}" has no method "${methodName}"`);
      defineProperty(error, 'name', { value: 'PluginError', writable: true, configurable: true });
      defineProperty(error, 'code', { value: 'INVALID_ARGUMENT', enumerable: true, configurable: true });
      throw error;
    }
    return apply(method, instance, args);
  }

  function answer(id, methodName, value) {
    try {
      checkStringResult(value);
      const encoded = encode(value);
      post({ type: 'result', id, value: encoded.value, encoded: encoded.encoded });
    } catch (error) {
      if (weakSetHas(tooLargeErrors, error)) {
        defineProperty(error, 'message', {
          value: `plugin "${pluginId}": ${methodName}() returned too much: ${error.message}`,
          writable: true,
          configurable: true,
        });
        post({ type: 'error', id, error: describeError(error) });
        return;
      }
      // A value that cannot be copied (a function, a SharedArrayBuffer): the structured-clone error.
      const reason =
        error !== null && typeof error === 'object' ? SafeString(error.message) : SafeString(error);
      post({
        type: 'error',
        id,
        error: {
          name: 'DataCloneError',
          message: `the result of ${methodName}() cannot be copied to the host: ${reason}`,
        },
      });
    }
  }

  function dispatch(message) {
    const id = message.id;
    let result;
    try {
      result = runCall(message.method, message.args, message.optional === true);
    } catch (error) {
      post({ type: 'error', id, error: describeError(error) });
      return;
    }
    // A plain value is answered at once; only a promise (or thenable) waits.
    let isThenable = false;
    try {
      isThenable =
        result !== null &&
        (typeof result === 'object' || typeof result === 'function') &&
        typeof result.then === 'function';
    } catch (error) {
      post({ type: 'error', id, error: describeError(error) });
      return;
    }
    if (!isThenable) {
      answer(id, message.method, result);
      return;
    }
    promiseThen(
      promiseResolve(result),
      (value) => answer(id, message.method, value),
      (error) => post({ type: 'error', id, error: describeError(error) }),
    );
  }

  // Calls run in a resource of their own: the channel the message arrived on is never the
  // execution resource plugin code can ask async_hooks about.
  const callResource = new AsyncResource('agentplug-call');
  listen((message) => {
    runInAsyncScope(callResource, dispatch, undefined, message);
  });
  post({ type: 'ready', methods: listMethods(instance) });
  return true;
}
