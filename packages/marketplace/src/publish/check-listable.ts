import { PluginError } from '@agentplug/models';
import {
  checkIndexBody,
  INDEX_TYPE,
  type IndexPluginEntry,
  MARKETPLACE_PROTOCOL_VERSION,
} from '@agentplug/registry-client/protocol';

/**
 * Refuses a catalog entry a protocol v1 client would refuse (an id or version past the protocol's
 * limits, a dependency constraint that does not parse, ...), before anything is stored or signed:
 * one bad entry must never make the whole signed index unreadable for every client.
 * @throws PluginError MANIFEST_INVALID (422), with the protocol's complaint
 */
export function assertListable(entry: IndexPluginEntry): void {
  const checked = checkIndexBody({
    _type: INDEX_TYPE,
    protocol_version: MARKETPLACE_PROTOCOL_VERSION,
    version: 0,
    expires: '',
    signed_at: '',
    plugins: { [entry.plugin_id]: entry },
  });
  if (!checked.success) {
    throw new PluginError(
      'MANIFEST_INVALID',
      `${entry.plugin_id} cannot be listed in a protocol v1 index: ${checked.message}`,
      {
        details: { pluginId: entry.plugin_id, problem: checked.message },
      },
    );
  }
}
