import { type PluginDependency, PluginError, type PluginMetadata } from '@agentplug/models';
import { resolveDependencies } from '@agentplug/version';
import type { IndexVersionEntry, SignedIndexBody } from '../protocol/marketplace-index';

/** One plugin version an install brings. */
export interface InstallStep {
  pluginId: string;
  version: string;
}

/** What {@link planInstall} decided: every version to have, dependencies first, the root last. */
export interface InstallPlan {
  steps: InstallStep[];
  warnings: string[];
}

interface VersionRecord {
  plugin_id: string;
  version: string;
  dependencies: PluginDependency[];
  min_runtime_version: string;
  max_runtime_version: string;
}

/**
 * Resolves the dependencies of `root` against the signed index and the installed plugins with
 * `@agentplug/version`: yanked versions are never chosen; an installed version counts as available.
 * @throws PluginError DEPENDENCY_UNRESOLVED (with the resolver's explanation)
 */
export async function planInstall(
  body: SignedIndexBody,
  root: { pluginId: string; entry: IndexVersionEntry },
  context: { installed: ReadonlyMap<string, PluginMetadata>; runtimeVersion: string | undefined },
): Promise<InstallPlan> {
  const { pluginId, entry: rootEntry } = root;
  const getVersions = (id: string): VersionRecord[] => {
    const records: VersionRecord[] = [];
    const entry = body.plugins[id];
    for (const version of Object.values(entry?.versions ?? {})) {
      if (version.yanked) continue;
      records.push({
        plugin_id: id,
        version: version.version,
        dependencies: version.dependencies,
        min_runtime_version: version.min_runtime_version,
        max_runtime_version: version.max_runtime_version,
      });
    }
    const local = context.installed.get(id);
    if (local !== undefined && !records.some((record) => record.version === local.version)) {
      records.push({
        plugin_id: id,
        version: local.version,
        dependencies: local.dependencies,
        min_runtime_version: local.min_runtime_version,
        max_runtime_version: local.max_runtime_version,
      });
    }
    return records;
  };
  const resolution = await resolveDependencies(
    { plugin_id: pluginId, version: rootEntry.version, dependencies: rootEntry.dependencies },
    { getVersions },
    { runtimeVersion: context.runtimeVersion },
  );
  if (!resolution.ok) {
    throw new PluginError(
      'DEPENDENCY_UNRESOLVED',
      `cannot install ${pluginId} ${rootEntry.version}: ${resolution.explanation}`,
      { details: { pluginId, version: rootEntry.version, explanation: resolution.explanation } },
    );
  }
  const steps: InstallStep[] = [];
  for (const id of resolution.order) {
    const version = resolution.solution[id];
    if (id !== pluginId && version !== undefined) steps.push({ pluginId: id, version });
  }
  steps.push({ pluginId, version: rootEntry.version });
  return { steps, warnings: (resolution.warnings ?? []).map(String) };
}
