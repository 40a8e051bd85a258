import { PluginError } from '../errors/plugin-error';

/**
 * Turns an error from a tool call into the text a model reads: `CODE: message`, the cause when
 * the message does not already say it, and `Hint: ...` (what to do, one line). Errors that are
 * not PluginErrors read `Name: message`.
 *
 * @example
 * formatToolError(error); // 'PERMISSION_DENIED: ... \nHint: Declare the permission ...'
 */
export function formatToolError(error: unknown): string {
  const lines: string[] = [];
  if (PluginError.is(error)) {
    lines.push(`${error.code}: ${error.message}`);
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    if (cause && !error.message.includes(cause)) lines.push(`Cause: ${cause}`);
    if (error.hint) lines.push(`Hint: ${error.hint}`);
  } else if (error instanceof Error) {
    lines.push(`${error.name}: ${error.message}`);
  } else {
    lines.push(`Error: ${String(error)}`);
  }
  return lines.join('\n');
}
