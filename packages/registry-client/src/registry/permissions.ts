import type { PluginPermissions } from '@agentplug/models';

/**
 * The permissions `requested` asks for beyond `accepted`, per key (an empty object when none).
 * Every list-valued key counts, so a permission kind added later is covered too.
 */
export function findEscalatedPermissions(
  accepted: PluginPermissions | undefined,
  requested: PluginPermissions,
): Record<string, string[]> {
  const escalated: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(requested)) {
    if (!Array.isArray(value)) continue;
    const known = accepted?.[key];
    const acceptedSet = new Set(Array.isArray(known) ? known.map(String) : []);
    const extra = value.map(String).filter((item) => !acceptedSet.has(item));
    if (extra.length > 0) escalated[key] = extra;
  }
  return escalated;
}
