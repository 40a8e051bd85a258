import { PluginError } from '@agentplug/models';
import {
  checkTargetsBody,
  formatArchiveName,
  type IndexPluginEntry,
  METADATA_PROTOCOL_VERSION,
  readArchiveName,
} from '@agentplug/registry-client/protocol';
import { toTargetsContent } from '../service/metadata-publisher';

/**
 * Refuses a catalog entry a client would refuse in its signed targets (an id or version past the
 * protocol's limits, a dependency constraint that does not parse, ...), before anything is stored
 * or signed: a plugin's targets must never be unreadable for the clients that need it.
 * @throws PluginError MANIFEST_INVALID (422), with the protocol's complaint
 */
export function assertListable(entry: IndexPluginEntry): void {
  const checked = checkTargetsBody({
    _type: 'agentplug-targets',
    protocol_version: METADATA_PROTOCOL_VERSION,
    plugin_id: entry.plugin_id,
    version: 1,
    ...toTargetsContent(entry),
  });
  if (!checked.success) {
    throw new PluginError(
      'MANIFEST_INVALID',
      `${entry.plugin_id} cannot be listed in signed targets: ${checked.message}`,
      {
        details: { pluginId: entry.plugin_id, problem: checked.message },
      },
    );
  }
}

/**
 * Refuses a version whose archive name another listed version already has: `com.tools` 1.2.3-4.0.0
 * and `com.tools-1.2.3` 4.0.0 are both `com.tools-1.2.3-4.0.0.tgz`, so a publisher of one could
 * otherwise take the download URL of the other's (another namespace's) plugin, whose clients would
 * then get an archive that fails its signed hash.
 * @throws PluginError CONFLICT (409)
 */
export function assertArchiveNameFree(
  pluginId: string,
  version: string,
  current: (pluginId: string) => IndexPluginEntry | undefined,
): void {
  const fileName = formatArchiveName(pluginId, version);
  for (const reading of readArchiveName(fileName)) {
    if (reading.pluginId === pluginId) continue;
    if (current(reading.pluginId)?.versions[reading.version] === undefined) continue;
    throw new PluginError(
      'CONFLICT',
      `${pluginId} ${version} would be archived as ${fileName}, the archive of ${reading.pluginId} ${reading.version}; publish another version`,
      { details: { pluginId, version, fileName, clashesWith: reading } },
    );
  }
}
