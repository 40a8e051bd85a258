import type { PluginMarketplaceInfo } from '@agentplug/models';
import {
  type RankedPlugin,
  rankIndex,
  type SearchQuery,
  toMarketplaceInfo,
} from '@agentplug/registry-client/protocol';
import type { Catalog } from '../store/catalog';

/** The most distinct queries whose matches are kept for one catalog. */
const KEPT_QUERIES = 128;

/** Ranks searches over a catalog, keeping each query's matches until the catalog changes. */
export interface RankedSearch {
  /** Every plugin matching, by the search rule (relevance, then live downloads, then id). */
  rank(catalog: Readonly<Catalog>, query: Omit<SearchQuery, 'limit'>): RankedPlugin[];
  /** The first `limit` (default 20) results of {@link RankedSearch.rank}, as search results. */
  search(catalog: Readonly<Catalog>, query: SearchQuery): PluginMarketplaceInfo[];
}

function keyOf(query: Omit<SearchQuery, 'limit'>): string {
  return JSON.stringify([
    (query.query ?? '').trim().toLowerCase(),
    query.pluginType ?? '',
    (query.tags ?? []).map((tag) => tag.toLowerCase()),
  ]);
}

function byRank(left: RankedPlugin, right: RankedPlugin): number {
  return (
    right.score - left.score ||
    right.downloads - left.downloads ||
    (left.entry.plugin_id < right.entry.plugin_id ? -1 : 1)
  );
}

/**
 * Makes the ranked search of a server. Matching a query walks the whole catalog (milliseconds over
 * 10,000 plugins); its matches and their relevance change only when the catalog does, so they are
 * kept per query (at most {@link KEPT_QUERIES}, for the catalog object they were made over) and each
 * request only orders the matches by the live download counts. The rule is `rankIndex`'s.
 */
export function createRankedSearch(downloadsOf: (pluginId: string) => number): RankedSearch {
  let keptFor: Readonly<Catalog> | undefined;
  const kept = new Map<string, readonly RankedPlugin[]>();
  const matches = (
    catalog: Readonly<Catalog>,
    query: Omit<SearchQuery, 'limit'>,
  ): readonly RankedPlugin[] => {
    if (keptFor !== catalog) {
      kept.clear();
      keptFor = catalog;
    }
    const key = keyOf(query);
    const found = kept.get(key);
    if (found !== undefined) return found;
    const ranked = rankIndex({ plugins: catalog }, { ...query, downloadsOf: () => 0 });
    if (kept.size >= KEPT_QUERIES) kept.delete(kept.keys().next().value as string);
    kept.set(key, ranked);
    return ranked;
  };
  const rank = (catalog: Readonly<Catalog>, query: Omit<SearchQuery, 'limit'>): RankedPlugin[] =>
    matches(catalog, query)
      .map((item) => ({ ...item, downloads: downloadsOf(item.entry.plugin_id) }))
      .sort(byRank);
  return {
    rank,
    search(catalog, query) {
      const limit = Math.max(0, Math.floor(query.limit ?? 20));
      return rank(catalog, query)
        .slice(0, limit)
        .map(({ entry, latest, downloads }) => ({ ...toMarketplaceInfo(entry, latest), downloads }));
    },
  };
}
