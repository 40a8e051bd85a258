import { PluginError, type PluginMarketplaceInfo, parseUntrustedJson } from '@agentplug/models';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { isProtocolPluginId } from '../protocol/identifiers';
import type { SignedIndexBody } from '../protocol/marketplace-index';

/** Largest search answer read. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

import { type SearchQuery, toMarketplaceInfo } from '../protocol/search-index';
import { pickLatestVersion } from '../protocol/version-rules';

/** What a marketplace search needs besides the query. */
export interface SearchMarketplaceContext {
  marketplaceUrl: string;
  network: NetworkOptions;
  runtimeVersion: string | undefined;
}

/**
 * Searches with a server endpoint whose answer is only trusted for ranking and live counters: each
 * result is re-read from signed metadata that `loadSigned` returns for the ids answered (the v2
 * targets of just those plugins); results it lacks are dropped.
 * @throws PluginError NETWORK_ERROR (not a results list), and what `loadSigned` throws
 */
export async function rankFromServer(
  url: URL,
  search: SearchQuery,
  context: SearchMarketplaceContext,
  loadSigned: (pluginIds: string[]) => Promise<SignedIndexBody>,
  /** Most answered results looked up (each may cost a fetch of signed metadata). */
  maxLookups: number,
): Promise<PluginMarketplaceInfo[]> {
  if (search.query !== undefined) url.searchParams.set('q', search.query);
  if (search.pluginType !== undefined) url.searchParams.set('type', search.pluginType);
  if (search.tags !== undefined && search.tags.length > 0)
    url.searchParams.set('tags', search.tags.join(','));
  const limit = search.limit ?? 20;
  url.searchParams.set('limit', String(limit));
  const bytes = await fetchBytes(url.toString(), context.network, { maxBytes: MAX_ANSWER_BYTES });
  let results: unknown;
  try {
    results = (
      parseUntrustedJson(bytes, {
        code: 'NETWORK_ERROR',
        what: 'the search answer',
        maxBytes: MAX_ANSWER_BYTES,
      }) as { results?: unknown }
    ).results;
  } catch (error) {
    throw new PluginError('NETWORK_ERROR', 'the search endpoint did not answer JSON', { cause: error });
  }
  if (!Array.isArray(results))
    throw new PluginError('NETWORK_ERROR', 'the search endpoint answered no results list');
  const answered = (results as { plugin_id?: unknown }[])
    .slice(0, maxLookups)
    .filter(
      (result) => typeof result === 'object' && result !== null && isProtocolPluginId(result.plugin_id),
    );
  return readRankedResults(
    answered as { plugin_id: string; downloads?: unknown; rating?: unknown }[],
    search,
    context,
    loadSigned,
  );
}

/**
 * Results for plugins ranked elsewhere (a server's answer, a static search file), in that order:
 * every field from signed metadata, only the live counters (`downloads`, `rating`, checked) from the
 * ranking. Plugins the signed metadata lacks, of another type, or with no usable version are dropped.
 * @throws PluginError what `loadSigned` throws
 */
export async function readRankedResults(
  answered: readonly { plugin_id: string; downloads?: unknown; rating?: unknown }[],
  search: SearchQuery,
  context: Pick<SearchMarketplaceContext, 'runtimeVersion'>,
  loadSigned: (pluginIds: string[]) => Promise<SignedIndexBody>,
): Promise<PluginMarketplaceInfo[]> {
  const { runtimeVersion } = context;
  const limit = search.limit ?? 20;
  const body = await loadSigned([...new Set(answered.map((result) => result.plugin_id))]);
  const output: PluginMarketplaceInfo[] = [];
  for (const result of answered) {
    // Only the ranking and the live counters come from the unsigned answer; the rest is from signed metadata.
    const entry = Object.hasOwn(body.plugins, result.plugin_id) ? body.plugins[result.plugin_id] : undefined;
    if (entry === undefined) continue;
    if (search.pluginType !== undefined && entry.plugin_type !== search.pluginType) continue;
    const latest = pickLatestVersion(entry.versions, { runtimeVersion });
    if (latest === undefined) continue;
    const info = toMarketplaceInfo(entry, latest);
    if (
      typeof result.downloads === 'number' &&
      Number.isSafeInteger(result.downloads) &&
      result.downloads >= 0
    ) {
      info.downloads = result.downloads;
    }
    if (typeof result.rating === 'number' && result.rating >= 0 && result.rating <= 5)
      info.rating = result.rating;
    output.push(info);
    if (output.length >= limit) break;
  }
  return output;
}
