import { defineProperty, SafeError, SafeWeakSet, symbolFor, weakSetAdd, weakSetHas } from './primordials.mjs';

const pluginErrorBrand = symbolFor('@agentplug/models/PluginError');
const created = new SafeWeakSet();
const hint = "Declare the permission named in the message in plugin.json's permissions.";

/**
 * Creates the error a denied access throws inside the worker: shaped like `@agentplug/models`'
 * PluginError (name, code PERMISSION_DENIED, details, hint, and the brand `PluginError.is` looks
 * for), so plugin code can test it in the worker and the host rebuilds a real PluginError from it.
 */
export function createPermissionError(message, details) {
  const error = new SafeError(message);
  defineProperty(error, 'name', { value: 'PluginError', writable: true, configurable: true });
  defineProperty(error, 'code', { value: 'PERMISSION_DENIED', enumerable: true, configurable: true });
  defineProperty(error, 'details', { value: details, enumerable: true, configurable: true });
  defineProperty(error, 'hint', { value: hint, configurable: true });
  defineProperty(error, pluginErrorBrand, { value: true });
  weakSetAdd(created, error);
  return error;
}

/** Whether `value` is an error createPermissionError made (not one shaped like it). */
export function isPermissionError(value) {
  return value !== null && typeof value === 'object' && weakSetHas(created, value);
}
