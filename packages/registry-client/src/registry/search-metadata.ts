import { PluginError, type PluginMarketplaceInfo } from '@agentplug/models';
import { fetchBytes } from '../network/fetch-bytes';
import {
  MAX_SEARCH_FILE_BYTES,
  rankSearchFile,
  readSearchFile,
  SEARCH_FILE_PATH,
} from '../protocol/search-file';
import type { SearchQuery } from '../protocol/search-index';
import { loadMetadataIndex } from './metadata-index';
import { rankFromServer, readRankedResults, type SearchMarketplaceContext } from './search-marketplace';
import type { TrustedMetadata } from './trusted-metadata';

/**
 * Searches a protocol v2 marketplace: ranked by the search endpoint its signed snapshot names, or,
 * on a static host, by its search file (`v2/search.json`, ranked here); either way every result is
 * read from the signed targets of the plugins ranked first (at most twice the limit), so an
 * unsigned answer can reorder results but not change what they say or what installs.
 * @throws PluginError NOT_FOUND (no search endpoint and no search file), INDEX_INVALID (a search file that is not one), NETWORK_ERROR, TIMEOUT, and the metadata errors
 */
export async function searchThroughMetadata(
  metadata: TrustedMetadata,
  search: SearchQuery,
  context: SearchMarketplaceContext,
): Promise<PluginMarketplaceInfo[]> {
  const view = metadata.current ?? (await metadata.refresh());
  const lookups = Math.max(1, search.limit ?? 20) * 2;
  const loadSigned = (pluginIds: string[]) => loadMetadataIndex(metadata, pluginIds, { closure: false });
  const endpoint = view.snapshot.search_endpoint;
  if (endpoint !== undefined) {
    return rankFromServer(new URL(endpoint, context.marketplaceUrl), search, context, loadSigned, lookups);
  }
  let bytes: Buffer;
  try {
    bytes = await fetchBytes(new URL(SEARCH_FILE_PATH, context.marketplaceUrl).toString(), context.network, {
      maxBytes: MAX_SEARCH_FILE_BYTES,
    });
  } catch (error) {
    if (!PluginError.is(error, 'NOT_FOUND')) throw error;
    throw new PluginError(
      'NOT_FOUND',
      `${context.marketplaceUrl} offers no search: its snapshot names no search endpoint and it serves no ${SEARCH_FILE_PATH}`,
      { cause: error, details: { url: error.details.url } },
    );
  }
  const ranked = rankSearchFile(readSearchFile(bytes), search).slice(0, lookups);
  return readRankedResults(ranked, search, context, loadSigned);
}
