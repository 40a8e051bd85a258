import { PluginError } from '@agentplug/models';
import { INDEX_TYPE, type IndexPluginEntry, type SignedIndexBody } from '../protocol/marketplace-index';
import type { Revocation, TargetsBody, TargetsVersionEntry } from '../protocol/metadata-types';
import type { TrustedMetadata } from './trusted-metadata';

/** Most plugins one request reads through protocol v2 (a dependency closure larger than this is refused). */
export const MAX_CLOSURE_PLUGINS = 5000;

/** Most plugins whose metadata is fetched at once (a wide dependency level is read in batches). */
const MAX_CONCURRENT_READS = 32;

/** A version's revocation, when the signed metadata it came from carries one. */
export function revocationOf(entry: unknown): Revocation | undefined {
  if (typeof entry !== 'object' || entry === null || !Object.hasOwn(entry, 'revoked')) return undefined;
  return (entry as TargetsVersionEntry).revoked;
}

/**
 * The part of an index body that protocol v2 proves for `pluginIds` and (unless `closure` is false)
 * every plugin any of their versions depends on, read from verified targets (a plugin the tree proves absent is left out).
 * A revoked version is marked yanked, so no range ever picks it; it keeps its `revoked` record.
 * Counters are not signed in v2 and read 0.
 * @throws PluginError TOO_LARGE (closure above {@link MAX_CLOSURE_PLUGINS}), and the codes of `TrustedMetadata`
 */
export async function loadMetadataIndex(
  metadata: TrustedMetadata,
  pluginIds: readonly string[],
  options: { closure?: boolean } = {},
): Promise<SignedIndexBody> {
  const closure = options.closure ?? true;
  const view = metadata.current ?? (await metadata.refresh());
  const plugins = Object.create(null) as Record<string, IndexPluginEntry>;
  let level = [...new Set(pluginIds)];
  const seen = new Set(level);
  // One level of the dependency closure at a time: its plugins are read concurrently, in one batch.
  while (level.length > 0) {
    const read = new Map<string, TargetsBody | undefined>();
    for (let start = 0; start < level.length; start += MAX_CONCURRENT_READS) {
      const batch = await metadata.readTargets(level.slice(start, start + MAX_CONCURRENT_READS));
      for (const [pluginId, targets] of batch) read.set(pluginId, targets);
    }
    const next: string[] = [];
    for (const pluginId of level) {
      const targets = read.get(pluginId);
      if (targets === undefined) continue;
      const versions = Object.create(null) as IndexPluginEntry['versions'];
      for (const [version, entry] of Object.entries(targets.versions)) {
        versions[version] = entry.revoked === undefined ? entry : { ...entry, yanked: true };
        for (const dependency of closure ? entry.dependencies : []) {
          if (seen.has(dependency.plugin_id)) continue;
          if (seen.size >= MAX_CLOSURE_PLUGINS) {
            throw new PluginError(
              'TOO_LARGE',
              `the dependencies of ${pluginIds.join(', ')} reach more than ${MAX_CLOSURE_PLUGINS} plugins`,
            );
          }
          seen.add(dependency.plugin_id);
          next.push(dependency.plugin_id);
        }
      }
      plugins[pluginId] = {
        plugin_id: pluginId,
        ...targets.plugin,
        downloads: 0,
        rating: 0,
        rating_count: 0,
        versions,
      };
    }
    level = next;
  }
  const body: SignedIndexBody = {
    _type: INDEX_TYPE,
    protocol_version: view.timestamp.protocol_version,
    version: view.snapshot.version,
    expires: view.timestamp.expires,
    signed_at: view.timestamp.expires,
    plugins,
  };
  if (view.snapshot.search_endpoint !== undefined) body.search_endpoint = view.snapshot.search_endpoint;
  return body;
}
