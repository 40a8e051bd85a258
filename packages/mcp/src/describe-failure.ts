import { PluginError } from '@agentplug/models';

/** `CODE: message` for a PluginError, the message alone for anything else: one line for a log. */
export function describeFailure(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  return PluginError.is(error) ? `${error.code}: ${message}` : message;
}
