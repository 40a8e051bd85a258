import { PluginError, type PluginMarketplaceInfo, type PluginType } from '@agentplug/models';
import type { IndexPluginEntry, IndexVersionEntry, SignedIndexBody } from './marketplace-index';
import { pickLatestVersion } from './version-rules';

/** A marketplace search: the seed's parameters. */
export interface SearchQuery {
  /** Words to look for in the id, name, tags, description and author. */
  query?: string;
  pluginType?: PluginType | `${PluginType}`;
  /** Every tag listed must be on the plugin. */
  tags?: readonly string[];
  /** Most results. Default 20. */
  limit?: number;
}

/** Extra inputs of {@link searchIndex}. */
export interface SearchIndexOptions {
  /** Only versions compatible with this runtime count. */
  runtimeVersion?: string;
  /** Live download counts (a server's); default the counts in the index. Used to rank and reported. */
  downloadsOf?: (pluginId: string) => number;
}

interface PreparedPlugin {
  entry: IndexPluginEntry;
  latest: IndexVersionEntry;
  id: string;
  name: string;
  tags: Set<string>;
  description: string;
  author: string;
}

const prepared = new WeakMap<object, Map<string, PreparedPlugin[]>>();
// A server re-signs often with new counters but the same version objects, so the costly part is kept per versions object.
const latestByVersions = new WeakMap<object, Map<string, IndexVersionEntry | undefined>>();

function pickLatestVersionCached(
  versions: Record<string, IndexVersionEntry>,
  runtimeVersion: string | undefined,
): IndexVersionEntry | undefined {
  let byRuntime = latestByVersions.get(versions);
  if (byRuntime === undefined) {
    byRuntime = new Map();
    latestByVersions.set(versions, byRuntime);
  }
  const key = runtimeVersion ?? '';
  if (!byRuntime.has(key)) byRuntime.set(key, pickLatestVersion(versions, { runtimeVersion }));
  return byRuntime.get(key);
}

function preparePlugins(
  plugins: Record<string, IndexPluginEntry>,
  runtimeVersion: string | undefined,
): PreparedPlugin[] {
  let byRuntime = prepared.get(plugins);
  if (byRuntime === undefined) {
    byRuntime = new Map();
    prepared.set(plugins, byRuntime);
  }
  const key = runtimeVersion ?? '';
  const cached = byRuntime.get(key);
  if (cached !== undefined) return cached;
  const list: PreparedPlugin[] = [];
  for (const entry of Object.values(plugins)) {
    const latest = pickLatestVersionCached(entry.versions, runtimeVersion);
    if (latest === undefined) continue;
    list.push({
      entry,
      latest,
      id: entry.plugin_id.toLowerCase(),
      name: entry.name.toLowerCase(),
      tags: new Set(entry.tags.map((tag) => tag.toLowerCase())),
      description: entry.description.toLowerCase(),
      author: entry.author.toLowerCase(),
    });
  }
  byRuntime.set(key, list);
  return list;
}

function scorePlugin(plugin: PreparedPlugin, words: readonly string[], phrase: string): number {
  if (words.length === 0) return 1;
  let score = 0;
  if (plugin.id === phrase) score += 100;
  if (plugin.name === phrase) score += 80;
  for (const word of words) {
    let wordScore = 0;
    if (plugin.name.includes(word)) wordScore += plugin.name.startsWith(word) ? 30 : 20;
    if (plugin.id.includes(word)) wordScore += 10;
    if (plugin.tags.has(word)) wordScore += 15;
    if (plugin.description.includes(word)) wordScore += 5;
    if (plugin.author.includes(word)) wordScore += 2;
    // every word must match somewhere, so a longer query narrows the results
    if (wordScore === 0) return 0;
    score += wordScore;
  }
  return score;
}

/** Turns an index entry into the seed's search result for its chosen version. */
export function toMarketplaceInfo(
  entry: IndexPluginEntry,
  version: IndexVersionEntry,
): PluginMarketplaceInfo {
  return {
    plugin_id: entry.plugin_id,
    name: entry.name,
    version: version.version,
    description: entry.description,
    plugin_type: entry.plugin_type,
    tags: [...entry.tags],
    author: entry.author,
    downloads: entry.downloads,
    rating: entry.rating,
    published_at: version.published_at,
    security_score: version.security_score,
  };
}

/** A plugin a search matched, before it becomes a result: its entry, the version shown, relevance and downloads. */
export interface RankedPlugin {
  entry: IndexPluginEntry;
  /** The latest usable version: what a result shows. */
  latest: IndexVersionEntry;
  /** Relevance (1 for every plugin when there are no words). */
  score: number;
  downloads: number;
}

/** Longest search query, in characters: a search walks the whole catalog once per word. */
export const MAX_SEARCH_QUERY_LENGTH = 200;
/** Most distinct words in a search query. */
export const MAX_SEARCH_WORDS = 16;
/** Most tags a search may require, and the longest tag. */
export const MAX_SEARCH_TAGS = 10;
const MAX_SEARCH_TAG_LENGTH = 64;

/**
 * The lower-cased phrase, its distinct words and the tags of a search, bounded: matching costs one
 * pass over the catalog per word, so an unbounded query (thousands of words that all match) would
 * hold a server's event loop for seconds per request.
 * @throws PluginError INVALID_ARGUMENT (a query over {@link MAX_SEARCH_QUERY_LENGTH} characters or {@link MAX_SEARCH_WORDS} words, too many or too long tags)
 */
export function readSearchTerms(search: Pick<SearchQuery, 'query' | 'tags'>): {
  phrase: string;
  words: string[];
  tags: string[];
} {
  const phrase = (search.query ?? '').trim().toLowerCase();
  if (phrase.length > MAX_SEARCH_QUERY_LENGTH) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `a search query is at most ${MAX_SEARCH_QUERY_LENGTH} characters (this one has ${phrase.length})`,
      { details: { maxLength: MAX_SEARCH_QUERY_LENGTH } },
    );
  }
  const words = [...new Set(phrase.split(/\s+/).filter((word) => word.length > 0))];
  if (words.length > MAX_SEARCH_WORDS) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `a search query has at most ${MAX_SEARCH_WORDS} different words (this one has ${words.length})`,
      { details: { maxWords: MAX_SEARCH_WORDS } },
    );
  }
  const tags = [...new Set((search.tags ?? []).map((tag) => tag.toLowerCase()))];
  if (tags.length > MAX_SEARCH_TAGS || tags.some((tag) => tag.length > MAX_SEARCH_TAG_LENGTH)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `a search names at most ${MAX_SEARCH_TAGS} tags of at most ${MAX_SEARCH_TAG_LENGTH} characters`,
      { details: { maxTags: MAX_SEARCH_TAGS, maxTagLength: MAX_SEARCH_TAG_LENGTH } },
    );
  }
  return { phrase, words, tags };
}

/**
 * Every plugin matching a search, by relevance, then downloads, then id, with no result objects
 * built: a catalog that sorts and pages thousands of matches builds only the page it shows.
 * The rule is {@link searchIndex}'s.
 * @throws PluginError INVALID_ARGUMENT (a query or tags past the caps of {@link readSearchTerms})
 */
export function rankIndex(
  body: Pick<SignedIndexBody, 'plugins'>,
  search: Omit<SearchQuery, 'limit'> & SearchIndexOptions,
): RankedPlugin[] {
  const { phrase, words, tags } = readSearchTerms(search);
  const downloadsOf = search.downloadsOf ?? ((pluginId: string) => body.plugins[pluginId]?.downloads ?? 0);
  const ranked: RankedPlugin[] = [];
  for (const plugin of preparePlugins(body.plugins, search.runtimeVersion)) {
    if (search.pluginType !== undefined && plugin.entry.plugin_type !== search.pluginType) continue;
    if (!tags.every((tag) => plugin.tags.has(tag))) continue;
    const score = scorePlugin(plugin, words, phrase);
    if (score > 0) ranked.push({ entry: plugin.entry, latest: plugin.latest, score, downloads: 0 });
  }
  for (const item of ranked) item.downloads = downloadsOf(item.entry.plugin_id);
  return ranked.sort(
    (left, right) =>
      right.score - left.score ||
      right.downloads - left.downloads ||
      (left.entry.plugin_id < right.entry.plugin_id ? -1 : 1),
  );
}

/**
 * Searches the plugins of an index: every word of `query` must match the id, name, tags, description
 * or author; results are sorted by relevance, then downloads, then id. Plugins whose every version is
 * yanked (or incompatible with `runtimeVersion`) are left out; each result shows its latest usable version.
 * @throws PluginError INVALID_ARGUMENT (a query or tags past the caps of {@link readSearchTerms})
 */
export function searchIndex(
  body: Pick<SignedIndexBody, 'plugins'>,
  search: SearchQuery & SearchIndexOptions,
): PluginMarketplaceInfo[] {
  const limit = Math.max(0, Math.floor(search.limit ?? 20));
  return rankIndex(body, search)
    .slice(0, limit)
    .map(({ entry, latest, downloads }) => ({ ...toMarketplaceInfo(entry, latest), downloads }));
}
