import { createHash } from 'node:crypto';
import { type PluginMarketplaceInfo, type PluginPermissions, PluginType } from '@agentplug/models';
import {
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TAGS,
  type RankedPlugin,
  toMarketplaceInfo,
} from '@agentplug/registry-client/protocol';
import type { CatalogCache } from './catalog-cache';
import type { CatalogReader } from './catalog-reader';

/** The orders the catalog offers. */
export const CATALOG_SORTS = ['relevance', 'downloads', 'rating', 'score', 'updated'] as const;

/** One order of search results. */
export type CatalogSort = (typeof CATALOG_SORTS)[number];

/** A search as the home page's form sends it, bounded and checked. */
export interface CatalogSearch {
  query: string;
  pluginType: PluginType | undefined;
  tags: string[];
  sort: CatalogSort;
  /** 1-based. */
  page: number;
}

/** One result row: the search result plus what the row shows at a glance. */
export interface CatalogResult extends PluginMarketplaceInfo {
  permissions: PluginPermissions | undefined;
  risk_level: string | undefined;
}

/** One page of results. */
export interface CatalogResultsPage {
  total: number;
  page: number;
  pages: number;
  results: CatalogResult[];
}

/** Results per page. */
export const PAGE_SIZE = 20;
const MAX_TAG_LENGTH = 64;
const MAX_PAGE = 10_000;
const PLUGIN_TYPES = new Set<string>(Object.values(PluginType));

/** Reads a search from query parameters (`q`, `type`, `tags`, `sort`, `page`); anything unknown falls back to its default. */
export function readCatalogSearch(parameters: URLSearchParams): CatalogSearch {
  const query = (parameters.get('q') ?? '').slice(0, MAX_SEARCH_QUERY_LENGTH).trim();
  const type = parameters.get('type') ?? '';
  const tags = (parameters.get('tags') ?? '')
    .split(',')
    .map((tag) => tag.trim().slice(0, MAX_TAG_LENGTH))
    .filter((tag) => tag !== '')
    .slice(0, MAX_SEARCH_TAGS);
  const sort = parameters.get('sort') ?? '';
  const page = Number.parseInt(parameters.get('page') ?? '1', 10);
  return {
    query,
    pluginType: PLUGIN_TYPES.has(type) ? (type as PluginType) : undefined,
    tags,
    sort: (CATALOG_SORTS as readonly string[]).includes(sort) ? (sort as CatalogSort) : 'relevance',
    page: Number.isInteger(page) && page >= 1 ? Math.min(page, MAX_PAGE) : 1,
  };
}

/** Query parameters for a search (what links to another page or order of it carry). */
export function formatCatalogSearch(search: CatalogSearch, changes: Partial<CatalogSearch> = {}): string {
  const next = { ...search, ...changes };
  const parameters = new URLSearchParams();
  if (next.query !== '') parameters.set('q', next.query);
  if (next.pluginType !== undefined) parameters.set('type', next.pluginType);
  if (next.tags.length > 0) parameters.set('tags', next.tags.join(','));
  if (next.sort !== 'relevance') parameters.set('sort', next.sort);
  if (next.page !== 1) parameters.set('page', String(next.page));
  const text = parameters.toString();
  return text === '' ? '' : `?${text}`;
}

const SORT_KEYS: Readonly<
  Record<Exclude<CatalogSort, 'relevance'>, (ranked: RankedPlugin, reader: CatalogReader) => number | string>
> = {
  downloads: (ranked) => ranked.downloads,
  rating: (ranked, reader) => reader.ratingOf(ranked.entry.plugin_id),
  score: (ranked) => ranked.latest.security_score,
  updated: (ranked) => ranked.latest.published_at,
};

/** Orders ranked plugins by a sort's key, highest first; ties keep their relevance order (the sort is stable). */
export function sortRanked(ranked: RankedPlugin[], sort: CatalogSort, reader: CatalogReader): RankedPlugin[] {
  if (sort === 'relevance') return ranked;
  const keyOf = SORT_KEYS[sort];
  // Each key is worked out once, not once per comparison.
  const keyed = ranked.map((item) => ({ item, key: keyOf(item, reader) }));
  keyed.sort((left, right) => (left.key === right.key ? 0 : left.key < right.key ? 1 : -1));
  return keyed.map(({ item }) => item);
}

/** The result row of a ranked plugin: the search result with its live rating, permissions and risk. */
export function toCatalogResult(ranked: RankedPlugin, reader: CatalogReader): CatalogResult {
  return {
    ...toMarketplaceInfo(ranked.entry, ranked.latest),
    downloads: ranked.downloads,
    rating: reader.ratingOf(ranked.entry.plugin_id),
    permissions: ranked.latest.permissions,
    risk_level: ranked.latest.risk_level,
  };
}

/** The key of a search's ranked list in a {@link CatalogCache}: its filter, and its order when not relevance. */
function listKey(search: CatalogSearch, sort: CatalogSort): string {
  return JSON.stringify([search.query, search.pluginType ?? '', search.tags, sort]);
}

/** A search without words, type or tags: every plugin. */
const EVERY_PLUGIN: CatalogSearch = {
  query: '',
  pluginType: undefined,
  tags: [],
  sort: 'relevance',
  page: 1,
};

/** Every plugin, ranked as a search without words ranks them; kept per catalog version in `cache`. */
export function rankEveryPlugin(reader: CatalogReader, cache: CatalogCache): RankedPlugin[] {
  return cache.list(listKey(EVERY_PLUGIN, 'relevance'), () => reader.rank({}));
}

/**
 * Runs a search over a catalog: filter and rank, order, then one page; only that page's rows are
 * built, so a search matching thousands of plugins costs one pass and one sort. With a cache, the
 * ranked list of a filter and its order by each sort key are worked out once per catalog version,
 * and another page or order of the same search only slices or sorts what is kept.
 */
export function searchCatalog(
  reader: CatalogReader,
  search: CatalogSearch,
  cache?: CatalogCache,
): CatalogResultsPage {
  const rank = (): RankedPlugin[] =>
    reader.rank({ query: search.query, pluginType: search.pluginType, tags: search.tags });
  let matches: RankedPlugin[];
  if (cache === undefined) {
    matches = sortRanked(rank(), search.sort, reader);
  } else {
    const ranked = cache.list(listKey(search, 'relevance'), rank);
    matches =
      search.sort === 'relevance'
        ? ranked
        : cache.list(listKey(search, search.sort), () => sortRanked(ranked, search.sort, reader));
  }
  const pages = Math.max(1, Math.ceil(matches.length / PAGE_SIZE));
  const page = Math.min(search.page, pages);
  const results = matches
    .slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)
    .map((ranked) => toCatalogResult(ranked, reader));
  return { total: matches.length, page, pages, results };
}

/**
 * The path segment naming a publisher: readable, and unique through a short hash of the exact
 * author text, so any author string becomes a safe URL segment and file name.
 */
export function publisherSlug(author: string): string {
  const readable = author
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const hash = createHash('sha256').update(author).digest('hex').slice(0, 8);
  return readable === '' ? hash : `${readable}-${hash}`;
}
