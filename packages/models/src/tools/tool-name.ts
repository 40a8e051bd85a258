import { createHash } from 'node:crypto';
import { CAPABILITY_NAME_PATTERN, PLUGIN_ID_PATTERN } from '../schemas/rules';

/** The longest tool name agentplug produces: the limit most model APIs enforce. */
export const MAX_TOOL_NAME_LENGTH: number = 64;

/**
 * What every tool name matches: letters, digits, `_` and `-`, at most 64 characters. Stricter
 * than the MCP specification (which also allows `.` and 128 characters) because model APIs that
 * relay MCP tools (Anthropic, OpenAI) accept only this.
 */
export const TOOL_NAME_PATTERN: RegExp = /^[a-zA-Z0-9_-]{1,64}$/;

const separator = '__';
const hashedPrefixLength = 51;

/**
 * Derives the tool name of a plugin capability, the one name the MCP server and every agent
 * framework adapter offer it under: the plugin id with `.` written as `_`, then
 * `__`, then the capability name with `$` written as `-` (`com.example.calculator` + `add` →
 * `com_example_calculator__add`). Valid plugin ids never contain `_` and always end in a letter or
 * digit, so the first `__` is always the separator and the encoding is injective. Names that would
 * be longer than 63 characters (and ids or names outside the manifest rules) become exactly 64
 * characters: a readable prefix, `_`, and a sha256 of the exact pair, so a hashed name can never
 * equal a readable one.
 *
 * @example
 * createToolName('com.example.calculator', 'add'); // 'com_example_calculator__add'
 */
export function createToolName(pluginId: string, capabilityName: string): string {
  const readable = `${pluginId.replaceAll('.', '_')}${separator}${capabilityName.replaceAll('$', '-')}`;
  const conforming = PLUGIN_ID_PATTERN.test(pluginId) && CAPABILITY_NAME_PATTERN.test(capabilityName);
  if (conforming && readable.length < MAX_TOOL_NAME_LENGTH) return readable;
  const prefix = readable.replaceAll(/[^a-zA-Z0-9_-]/g, '-').slice(0, hashedPrefixLength);
  const digest = createHash('sha256').update(`${pluginId}\n${capabilityName}`).digest('hex');
  return `${prefix}_${digest.slice(0, MAX_TOOL_NAME_LENGTH - prefix.length - 1)}`;
}
