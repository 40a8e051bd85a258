import type { PluginMetadata, PluginPermissions } from '@agentplug/models';
import type { IndexVersionEntry } from '../protocol/marketplace-index';

/** Each list-valued permission kind as a sorted, de-duplicated list; other kinds cannot be enforced and are left out. */
export function normalizePermissions(permissions: PluginPermissions | undefined): Map<string, string[]> {
  const normalized = new Map<string, string[]>();
  for (const [kind, list] of Object.entries(permissions ?? {})) {
    if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) continue;
    const values = [...new Set(list as string[])].sort();
    if (values.length > 0) normalized.set(kind, values);
  }
  return normalized;
}

/** Whether two permission sets grant exactly the same (an empty list and a missing kind are the same). */
export function isSamePermissions(
  left: PluginPermissions | undefined,
  right: PluginPermissions | undefined,
): boolean {
  const a = normalizePermissions(left);
  const b = normalizePermissions(right);
  if (a.size !== b.size) return false;
  for (const [kind, values] of a) {
    const other = b.get(kind);
    if (
      other === undefined ||
      other.length !== values.length ||
      other.some((value, index) => value !== values[index])
    ) {
      return false;
    }
  }
  return true;
}

function dependencyKeys(
  dependencies: readonly { plugin_id: string; version_constraint: string; optional: boolean }[],
): string {
  return JSON.stringify(
    dependencies
      .map((dependency) => [dependency.plugin_id, dependency.version_constraint, dependency.optional])
      .sort(),
  );
}

/**
 * The fields where an archive's plugin.json says something else than its signed index entry: what
 * the user consented to (permissions) and what was resolved (dependencies, runtime bounds) must be
 * what installs. An empty list when they agree.
 */
export function findSignedEntryMismatches(manifest: PluginMetadata, entry: IndexVersionEntry): string[] {
  const mismatches: string[] = [];
  if (!isSamePermissions(manifest.permissions, entry.permissions)) mismatches.push('permissions');
  if (dependencyKeys(manifest.dependencies) !== dependencyKeys(entry.dependencies))
    mismatches.push('dependencies');
  if (manifest.min_runtime_version !== entry.min_runtime_version) mismatches.push('min_runtime_version');
  if (manifest.max_runtime_version !== entry.max_runtime_version) mismatches.push('max_runtime_version');
  return mismatches;
}
