import { formatToolError, formatToolValue, PluginError } from '@agentplug/models';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/**
 * Turns what a capability returned into a tool result: a string as it is, anything else as JSON
 * text (`formatToolValue`); a plain object also as `structuredContent`, for clients that read
 * structured output.
 */
export function createToolResult(value: unknown): CallToolResult {
  const text = formatToolValue(value);
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
 * the message, the cause when the message does not already say it, and the hint
 * (`formatToolError`, the text every agentplug tool surface shows).
 */
export function createToolErrorReport(error: unknown): ToolErrorReport {
  return {
    result: { isError: true, content: [{ type: 'text', text: formatToolError(error) }] },
    errorCode: PluginError.is(error) ? error.code : undefined,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
