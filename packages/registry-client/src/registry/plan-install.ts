import { type PluginDependency, PluginError, type PluginMetadata } from '@agentplug/models';
import { resolveDependencies } from '@agentplug/version';
import type { IndexVersionEntry, SignedIndexBody } from '../protocol/marketplace-index';
import type { LockFile } from './lock-file';
import { diffPermissions } from './permissions';
import type { InstallPlanStep } from './registry-options';

/** One plugin version an install needs. */
export interface ResolvedStep {
  pluginId: string;
  version: string;
}

/** What {@link resolveInstall} decided: every version to have, dependencies first, the root last. */
export interface ResolvedInstall {
  steps: ResolvedStep[];
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
export async function resolveInstall(
  body: SignedIndexBody,
  root: { pluginId: string; entry: IndexVersionEntry },
  context: { installed: ReadonlyMap<string, PluginMetadata>; runtimeVersion: string | undefined },
): Promise<ResolvedInstall> {
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
  const steps: ResolvedStep[] = [];
  for (const id of resolution.order) {
    const version = resolution.solution[id];
    if (id !== pluginId && version !== undefined) steps.push({ pluginId: id, version });
  }
  steps.push({ pluginId, version: rootEntry.version });
  return { steps, warnings: (resolution.warnings ?? []).map(String) };
}

/**
 * Each resolved step as the user is asked to accept it: what it does, its signed permissions and
 * what is new compared with the lock file.
 * @throws PluginError NOT_FOUND (a step the index does not list and that is not installed)
 */
export function describeSteps(
  body: SignedIndexBody,
  resolved: ResolvedInstall,
  context: {
    pluginId: string;
    installed: ReadonlyMap<string, PluginMetadata>;
    lockFile: LockFile;
    /** An update: a plugin it newly brings in widens granted permissions too. */
    update: boolean;
  },
): InstallPlanStep[] {
  return resolved.steps.map((step): InstallPlanStep => {
    const entry = body.plugins[step.pluginId]?.versions[step.version];
    const manifest = context.installed.get(step.pluginId);
    const accepted = context.lockFile.plugins[step.pluginId]?.permissions;
    const requested = step.pluginId === context.pluginId;
    if (entry === undefined) {
      if (manifest?.version !== step.version) {
        throw new PluginError(
          'NOT_FOUND',
          `the marketplace has no version ${step.version} of ${step.pluginId}`,
          {
            details: { ...step },
          },
        );
      }
      // Kept as installed (from disk, or since unpublished): nothing downloads, nothing changes.
      return {
        ...step,
        action: 'unchanged',
        requested,
        installedVersion: manifest.version,
        permissions: manifest.permissions,
        acceptedPermissions: accepted,
        newPermissions: {},
        keptPermissions: diffPermissions(accepted, manifest.permissions).kept,
        droppedPermissions: {},
        widens: false,
        securityScore: undefined,
        riskLevel: undefined,
      };
    }
    const installedVersion = manifest?.version;
    const action =
      installedVersion === undefined ? 'install' : installedVersion === step.version ? 'unchanged' : 'update';
    const changes = diffPermissions(accepted, entry.permissions);
    const adds = Object.keys(changes.added).length > 0;
    return {
      ...step,
      action,
      requested,
      installedVersion,
      permissions: entry.permissions,
      acceptedPermissions: accepted,
      newPermissions: changes.added,
      keptPermissions: changes.kept,
      droppedPermissions: changes.dropped,
      // Granted before and now more; or, in an update, anything a newly brought plugin asks for.
      widens: action !== 'unchanged' && adds && (accepted !== undefined || context.update),
      securityScore: entry.security_score,
      riskLevel: entry.risk_level,
    };
  });
}
