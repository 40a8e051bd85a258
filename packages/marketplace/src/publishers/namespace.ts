import { isValidPluginId, PluginError } from '@agentplug/models';

/** Longest namespace accepted. */
const MAX_NAMESPACE_LENGTH = 128;

/**
 * Checks a reverse-DNS namespace (`com.acme`, at least two labels, as a plugin id is written).
 * @throws PluginError INVALID_ARGUMENT
 */
export function requireNamespace(value: string): string {
  if (value.length > MAX_NAMESPACE_LENGTH || !isValidPluginId(value)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${value.slice(0, MAX_NAMESPACE_LENGTH)}" is not a namespace: write it as a reverse-DNS name such as com.acme`,
    );
  }
  return value;
}

/** True when `namespace` covers the plugin id: the namespace itself or anything under it (`com.acme.*`). */
export function namespaceCovers(namespace: string, pluginId: string): boolean {
  return pluginId === namespace || pluginId.startsWith(`${namespace}.`);
}

/** True when one namespace covers the other (granting both to two publishers would share plugins). */
export function namespacesOverlap(left: string, right: string): boolean {
  return namespaceCovers(left, right) || namespaceCovers(right, left);
}

/** Publisher account names: lower-case letters, digits and hyphens, at most 63. */
export function requirePublisherName(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(value)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${value.slice(0, 64)}" is not a publisher name: use lower-case letters, digits and hyphens (at most 63)`,
    );
  }
  return value;
}
