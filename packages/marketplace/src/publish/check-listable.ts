import { PluginError } from '@agentplug/models';
import {
  checkTargetsBody,
  type IndexPluginEntry,
  METADATA_PROTOCOL_VERSION,
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
