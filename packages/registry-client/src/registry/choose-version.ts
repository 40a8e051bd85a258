import { PluginError } from '@agentplug/models';
import type { IndexPluginEntry, IndexVersionEntry } from '../protocol/marketplace-index';
import { isRuntimeCompatible, pickLatestVersion } from '../protocol/version-rules';
import { revocationOf } from './metadata-index';

/**
 * The version of `entry` a request asks for: the exact `version` (yanked or not, but runtime
 * compatible), or the latest usable one within `range` (see {@link pickLatestVersion}).
 * @throws PluginError NOT_FOUND (no such plugin or version), INCOMPATIBLE (only versions outside the runtime bounds match), PLUGIN_REVOKED (only revoked versions match)
 */
export function chooseVersion(
  pluginId: string,
  entry: IndexPluginEntry | undefined,
  request: { version?: string; range?: string; runtimeVersion: string | undefined },
): IndexVersionEntry {
  const { runtimeVersion } = request;
  if (entry === undefined)
    throw new PluginError('NOT_FOUND', `the marketplace has no plugin ${pluginId}`, {
      details: { pluginId },
    });
  if (request.version !== undefined) {
    const exact = entry.versions[request.version];
    if (exact === undefined) {
      throw new PluginError('NOT_FOUND', `the marketplace has no version ${request.version} of ${pluginId}`, {
        details: { pluginId, version: request.version, available: Object.keys(entry.versions) },
      });
    }
    if (!isRuntimeCompatible(exact, runtimeVersion)) {
      throw new PluginError(
        'INCOMPATIBLE',
        `${pluginId} ${exact.version} needs runtime ${exact.min_runtime_version} to ${exact.max_runtime_version}; this runtime is ${runtimeVersion}`,
        { details: { pluginId, version: exact.version, runtimeVersion } },
      );
    }
    return exact;
  }
  const latest = pickLatestVersion(entry.versions, { runtimeVersion, range: request.range });
  if (latest === undefined) {
    // Revoked versions read as yanked, so no range picks them; say so when one was what matched.
    const revokedOnly = Object.create(null) as IndexPluginEntry['versions'];
    for (const [version, value] of Object.entries(entry.versions)) {
      if (revocationOf(value) !== undefined) revokedOnly[version] = { ...value, yanked: false };
    }
    const revoked = pickLatestVersion(revokedOnly, { runtimeVersion, range: request.range });
    const revocation = revocationOf(revoked);
    if (revoked !== undefined && revocation !== undefined) {
      throw new PluginError(
        'PLUGIN_REVOKED',
        `${pluginId} ${revoked.version} was revoked by the marketplace (${revocation.severity}): ${revocation.reason}`,
        { details: { pluginId, version: revoked.version, ...revocation } },
      );
    }
    const anyInRange = pickLatestVersion(entry.versions, { range: request.range });
    throw new PluginError(
      anyInRange === undefined ? 'NOT_FOUND' : 'INCOMPATIBLE',
      anyInRange === undefined
        ? `no published, non-yanked version of ${pluginId} matches ${request.range ?? 'any version'}`
        : `no version of ${pluginId} in ${request.range ?? 'any version'} supports runtime ${runtimeVersion}`,
      { details: { pluginId, range: request.range, runtimeVersion } },
    );
  }
  return latest;
}
