import { PluginError } from '@agentplug/models';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Turns what a capability returned into a tool result: a string as it is, anything else as JSON
 * text; a plain object also as `structuredContent`, for clients that read structured output.
 */
export function createToolResult(value: unknown): CallToolResult {
  const text = typeof value === 'string' ? value : stringifyValue(value);
  const result: CallToolResult = { content: [{ type: 'text', text }] };
  if (isPlainObject(value) && text.startsWith('{')) {
    result.structuredContent = JSON.parse(text) as Record<string, unknown>;
  }
  return result;
}

/** What a failed call reports: the readable tool error and the code for the audit trail. */
export interface ToolErrorReport {
  result: CallToolResult;
  errorCode: string | undefined;
}

/**
 * Turns an error from a call into a tool error (`isError: true`) the model can read: the code,
 * the message, the cause when the message does not already say it, and the hint.
 */
export function createToolErrorReport(error: unknown): ToolErrorReport {
  const lines: string[] = [];
  let errorCode: string | undefined;
  if (PluginError.is(error)) {
    errorCode = error.code;
    lines.push(`${error.code}: ${error.message}`);
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    if (cause && !error.message.includes(cause)) lines.push(`Cause: ${cause}`);
    if (error.hint) lines.push(`Hint: ${error.hint}`);
  } else if (error instanceof Error) {
    lines.push(`${error.name}: ${error.message}`);
  } else {
    lines.push(`Error: ${String(error)}`);
  }
  return { result: { isError: true, content: [{ type: 'text', text: lines.join('\n') }] }, errorCode };
}

function stringifyValue(value: unknown): string {
  try {
    const text: string | undefined = JSON.stringify(value ?? null, (_key, item: unknown) =>
      typeof item === 'bigint' ? item.toString() : item,
    );
    return text ?? String(value);
  } catch {
    // Circular structures and throwing toJSON methods still give the model something to read.
    return String(value);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
