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

/** What an install changes in a plugin's permissions, per kind: granted now, granted before and still, no longer asked for. */
export interface PermissionChanges {
  added: Record<string, string[]>;
  kept: Record<string, string[]>;
  dropped: Record<string, string[]>;
}

/**
 * Compares the permissions accepted before (none for a first install) with those requested now:
 * which are new, which are kept and which are dropped, per kind. Every list-valued kind counts.
 */
export function diffPermissions(
  accepted: PluginPermissions | undefined,
  requested: PluginPermissions,
): PermissionChanges {
  const listOf = (permissions: PluginPermissions | undefined, kind: string): string[] => {
    const value = permissions === undefined ? undefined : (permissions as Record<string, unknown>)[kind];
    return Array.isArray(value) ? value.map(String) : [];
  };
  const kinds = new Set([...Object.keys(accepted ?? {}), ...Object.keys(requested)]);
  // Kinds come from files and indexes: null-prototype records, so a kind named __proto__ is just a key.
  const record = (): Record<string, string[]> => Object.create(null) as Record<string, string[]>;
  const changes: PermissionChanges = { added: record(), kept: record(), dropped: record() };
  for (const kind of [...kinds].sort()) {
    const before = new Set(listOf(accepted, kind));
    const now = new Set(listOf(requested, kind));
    const added = [...now].filter((item) => !before.has(item));
    const kept = [...now].filter((item) => before.has(item));
    const dropped = [...before].filter((item) => !now.has(item));
    if (added.length > 0) changes.added[kind] = added;
    if (kept.length > 0) changes.kept[kind] = kept;
    if (dropped.length > 0) changes.dropped[kind] = dropped;
  }
  return changes;
}
