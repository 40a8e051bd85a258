import { isPluginErrorCode, PluginError } from '@agentplug/models';
import type { SerializedError } from './plugin-message';

/**
 * Rebuilds an error thrown inside a worker: a PluginError with the same code when the plugin threw
 * one (or the policy denied something), otherwise an Error with the same name; message, stack and
 * cause are kept either way.
 */
export function rebuildError(serialized: SerializedError): Error {
  const cause = serialized.cause === undefined ? undefined : rebuildError(serialized.cause);
  let error: Error;
  if (
    serialized.code !== undefined &&
    isPluginErrorCode(serialized.code) &&
    /^Plugin\w*Error$/.test(serialized.name)
  ) {
    error = new PluginError(serialized.code, serialized.message, { details: serialized.details, cause });
    if (serialized.name !== 'PluginError') {
      Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
    }
  } else {
    error = new Error(serialized.message, cause === undefined ? undefined : { cause });
    Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
    if (serialized.code !== undefined) {
      Object.defineProperty(error, 'code', {
        value: serialized.code,
        writable: true,
        configurable: true,
        enumerable: true,
      });
    }
  }
  if (serialized.stack !== undefined) {
    Object.defineProperty(error, 'stack', { value: serialized.stack, writable: true, configurable: true });
  }
  return error;
}
