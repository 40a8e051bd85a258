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

function isUnreachable(error: unknown): boolean {
  return (
    PluginError.is(error, 'NETWORK_ERROR') ||
    PluginError.is(error, 'TIMEOUT') ||
    PluginError.is(error, 'NOT_FOUND')
  );
}

/**
 * Searches a protocol v2 marketplace: ranked by the search endpoint its signed snapshot names, or,
 * on a static host, by its search file (`v2/search.json`, ranked here); either way every result is
 * read from the signed targets of the plugins ranked first (at most twice the limit), so an
 * unsigned answer can reorder results but not change what they say or what installs. Undefined
 * when the marketplace offers neither (or neither answers): the caller falls back to the v1 index.
 * @throws PluginError INDEX_INVALID (a search file that is not one), and the metadata errors
 */
export async function searchThroughMetadata(
  metadata: TrustedMetadata,
  search: SearchQuery,
  context: SearchMarketplaceContext,
): Promise<PluginMarketplaceInfo[] | undefined> {
  const view = metadata.current ?? (await metadata.refresh());
  const lookups = Math.max(1, search.limit ?? 20) * 2;
  const loadSigned = (pluginIds: string[]) => loadMetadataIndex(metadata, pluginIds, { closure: false });
  const endpoint = view.snapshot.search_endpoint;
  if (endpoint !== undefined) {
    return rankFromServer(
      new URL(endpoint, context.marketplaceUrl),
      search,
      context,
      loadSigned,
      lookups,
    ).catch((error: unknown) => {
      if (isUnreachable(error)) return undefined;
      throw error;
    });
  }
  let bytes: Buffer;
  try {
    bytes = await fetchBytes(new URL(SEARCH_FILE_PATH, context.marketplaceUrl).toString(), context.network, {
      maxBytes: MAX_SEARCH_FILE_BYTES,
    });
  } catch (error) {
    if (isUnreachable(error)) return undefined;
    throw error;
  }
  const ranked = rankSearchFile(readSearchFile(bytes), search).slice(0, lookups);
  return readRankedResults(ranked, search, context, loadSigned);
}
