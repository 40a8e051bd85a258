import { PluginError, type PluginErrorCode, PluginLoadError, PluginValidationError } from '@agentplug/models';
import type { LifecycleHook } from '../host/plugin-host';

/** The message of anything thrown: an Error's message, or the value as text. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Anything thrown, as an Error (a thrown string or object is wrapped, never lost). */
export function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * What a failed load or reload reports: a `PluginLoadError` naming the plugin. A
 * `PluginValidationError` or `PluginLoadError` passes through; another `PluginError` keeps its
 * code, details and root cause; anything else gets the `fallback` code.
 */
export function toLoadError(pluginId: string, error: unknown, fallback: PluginErrorCode): PluginError {
  if (error instanceof PluginValidationError || error instanceof PluginLoadError) return error;
  if (PluginError.is(error)) {
    // The inner PluginError only said what this message says; keep the root cause instead.
    return new PluginLoadError(pluginId, `cannot load ${pluginId}: ${error.message}`, {
      code: error.code,
      cause: error.cause ?? error,
      details: error.details,
    });
  }
  return new PluginLoadError(pluginId, `cannot load ${pluginId}: ${describeError(error)}`, {
    code: fallback,
    cause: error,
  });
}

/** What a lifecycle hook that threw or ran out of time reports: TIMEOUT, else HOOK_FAILED, with `details.hook`. */
export function hookError(pluginId: string, hook: LifecycleHook, error: unknown): PluginError {
  if (PluginError.is(error, 'TIMEOUT')) {
    return new PluginLoadError(pluginId, `${pluginId}.${hook}() timed out: ${error.message}`, {
      code: 'TIMEOUT',
      cause: error,
      details: { hook },
    });
  }
  return new PluginLoadError(pluginId, `${pluginId}.${hook}() failed: ${describeError(error)}`, {
    code: 'HOOK_FAILED',
    cause: error,
    details: { hook },
  });
}
