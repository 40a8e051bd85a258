import { PluginError, type PluginMarketplaceInfo } from '@agentplug/models';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { isProtocolPluginId } from '../protocol/identifiers';
import type { SignedIndexBody } from '../protocol/marketplace-index';

/** Largest search answer read. */
const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

import { type SearchQuery, searchIndex, toMarketplaceInfo } from '../protocol/search-index';
import { pickLatestVersion } from '../protocol/version-rules';

/** What {@link searchMarketplace} needs besides the query. */
export interface SearchMarketplaceContext {
  marketplaceUrl: string;
  network: NetworkOptions;
  runtimeVersion: string | undefined;
}

/**
 * Searches with the server's endpoint when the signed index names one on the marketplace's origin
 * (results re-read from the signed index), falling back to searching the signed index itself when
 * the endpoint is absent, unreachable or missing.
 * @throws PluginError NETWORK_ERROR (the endpoint answered something that is not a results list)
 */
export async function searchMarketplace(
  body: SignedIndexBody,
  search: SearchQuery,
  context: SearchMarketplaceContext,
): Promise<PluginMarketplaceInfo[]> {
  if (body.search_endpoint !== undefined) {
    const fromServer = await searchOnServer(body, search, context).catch((error: unknown) => {
      if (
        PluginError.is(error, 'NETWORK_ERROR') ||
        PluginError.is(error, 'TIMEOUT') ||
        PluginError.is(error, 'NOT_FOUND')
      ) {
        return undefined;
      }
      throw error;
    });
    if (fromServer !== undefined) return fromServer;
  }
  return searchIndex(body, { ...search, runtimeVersion: context.runtimeVersion });
}

async function searchOnServer(
  body: SignedIndexBody,
  search: SearchQuery,
  context: SearchMarketplaceContext,
): Promise<PluginMarketplaceInfo[]> {
  const { marketplaceUrl, runtimeVersion } = context;
  const url = new URL(body.search_endpoint ?? '', marketplaceUrl);
  if (url.origin !== new URL(marketplaceUrl).origin) return searchIndex(body, { ...search, runtimeVersion });
  if (search.query !== undefined) url.searchParams.set('q', search.query);
  if (search.pluginType !== undefined) url.searchParams.set('type', search.pluginType);
  if (search.tags !== undefined && search.tags.length > 0)
    url.searchParams.set('tags', search.tags.join(','));
  const limit = search.limit ?? 20;
  url.searchParams.set('limit', String(limit));
  const bytes = await fetchBytes(url.toString(), context.network, { maxBytes: MAX_ANSWER_BYTES });
  let results: unknown;
  try {
    results = (JSON.parse(bytes.toString('utf8')) as { results?: unknown }).results;
  } catch (error) {
    throw new PluginError('NETWORK_ERROR', 'the search endpoint did not answer JSON', { cause: error });
  }
  if (!Array.isArray(results))
    throw new PluginError('NETWORK_ERROR', 'the search endpoint answered no results list');
  const output: PluginMarketplaceInfo[] = [];
  for (const result of results as { plugin_id?: unknown; downloads?: unknown; rating?: unknown }[]) {
    // Only the ranking and the live counters come from the unsigned answer; the rest is from the signed index.
    if (typeof result !== 'object' || result === null) continue;
    const entry = isProtocolPluginId(result.plugin_id) ? body.plugins[result.plugin_id] : undefined;
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
