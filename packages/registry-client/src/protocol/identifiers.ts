import {
  isStrictSemver,
  isValidPluginId,
  MAX_PLUGIN_ID_LENGTH,
  MAX_VERSION_LENGTH,
  PluginError,
  type PluginErrorCode,
} from '@agentplug/models';

// The manifest's rules (models, length limits included) are the protocol's, so a plugin.json that
// parses always fits in an index.

/** Whether `value` is a reverse-DNS plugin id the protocol accepts (so safe as a URL segment and a folder name). */
export function isProtocolPluginId(value: unknown): value is string {
  return typeof value === 'string' && isValidPluginId(value);
}

/** Whether `value` is a strict semantic version the protocol accepts. */
export function isProtocolVersion(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_VERSION_LENGTH && isStrictSemver(value);
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Returns `value` when it is a protocol plugin id; refuses it with `code` otherwise. Every id that
 * enters from a marketplace, a file or a user passes here before it reaches a URL or a path.
 * @throws PluginError `code`
 */
export function assertPluginId(value: unknown, code: PluginErrorCode, where: string): string {
  if (!isProtocolPluginId(value)) {
    throw new PluginError(
      code,
      `${where} ${show(value)} is not a reverse-DNS plugin id (lowercase labels joined by dots, at most ${MAX_PLUGIN_ID_LENGTH} characters)`,
      { details: { where, value: typeof value === 'string' ? value.slice(0, 200) : String(value) } },
    );
  }
  return value;
}

/**
 * Returns `value` when it is a strict semantic version; refuses it with `code` otherwise.
 * @throws PluginError `code`
 */
export function assertVersion(value: unknown, code: PluginErrorCode, where: string): string {
  if (!isProtocolVersion(value)) {
    throw new PluginError(
      code,
      `${where} ${show(value)} is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build], at most ${MAX_VERSION_LENGTH} characters)`,
      { details: { where, value: typeof value === 'string' ? value.slice(0, 200) : String(value) } },
    );
  }
  return value;
}
