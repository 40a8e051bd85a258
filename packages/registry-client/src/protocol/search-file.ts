import { PluginError, type PluginType, parseUntrustedJson } from '@agentplug/models';
import { isProtocolPluginId } from './identifiers';
import type { IndexPluginEntry, IndexVersionEntry } from './marketplace-index';
import type { TargetsVersionEntry } from './metadata-types';
import { rankIndex, type SearchQuery } from './search-index';

/** Where a static marketplace's search file is (beside the v2 metadata, but not part of it). */
export const SEARCH_FILE_PATH = 'v2/search.json';
/** The `_type` of a search file. */
export const SEARCH_FILE_TYPE = 'agentplug-search';
/** Largest search file a client reads (about 100,000 plugins). */
export const MAX_SEARCH_FILE_BYTES: number = 32 * 1024 * 1024;

const PLUGIN_TYPES: readonly string[] = ['tool', 'engine', 'middleware', 'integration', 'custom'];

/** What a search file says of a plugin: its text, for ranking only (nothing of it is installed). */
export type SearchFileEntry = Pick<
  IndexPluginEntry,
  'plugin_id' | 'name' | 'description' | 'plugin_type' | 'tags' | 'author' | 'downloads'
>;

/**
 * The search file of a static marketplace (`v2/search.json`): every listed plugin that has a
 * version neither yanked nor revoked, with the text search ranks on. It is not signed: a client
 * ranks with it, then reads every result from signed targets (PROTOCOL.md A6).
 */
export function createSearchFile(catalog: Readonly<Record<string, IndexPluginEntry>>): Uint8Array {
  const plugins: SearchFileEntry[] = [];
  for (const pluginId of Object.keys(catalog).sort()) {
    const entry = catalog[pluginId] as IndexPluginEntry;
    const usable = Object.values(entry.versions).some(
      (version) => !version.yanked && (version as TargetsVersionEntry).revoked === undefined,
    );
    if (!usable) continue;
    plugins.push({
      plugin_id: entry.plugin_id,
      name: entry.name,
      description: entry.description,
      plugin_type: entry.plugin_type,
      tags: [...entry.tags],
      author: entry.author,
      downloads: entry.downloads,
    });
  }
  return new TextEncoder().encode(`${JSON.stringify({ _type: SEARCH_FILE_TYPE, plugins })}\n`);
}

function text(value: unknown, maxLength: number): value is string {
  return typeof value === 'string' && value.length <= maxLength;
}

function readEntry(value: unknown): SearchFileEntry | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const item = value as Record<string, unknown>;
  const tags = item.tags;
  if (
    !isProtocolPluginId(item.plugin_id) ||
    !text(item.name, 200) ||
    !text(item.description, 2000) ||
    !text(item.author, 200) ||
    typeof item.plugin_type !== 'string' ||
    !PLUGIN_TYPES.includes(item.plugin_type) ||
    !Array.isArray(tags) ||
    tags.length > 50 ||
    !tags.every((tag) => text(tag, 50))
  ) {
    return undefined;
  }
  const downloads =
    typeof item.downloads === 'number' && Number.isSafeInteger(item.downloads) && item.downloads >= 0
      ? item.downloads
      : 0;
  return {
    plugin_id: item.plugin_id as string,
    name: item.name,
    description: item.description,
    plugin_type: item.plugin_type as PluginType,
    tags: [...(tags as string[])],
    author: item.author,
    downloads,
  };
}

/**
 * Reads a search file fetched from a marketplace: untrusted JSON (size and depth capped,
 * null-prototype objects); entries that are not well-formed are left out.
 * @throws PluginError INDEX_INVALID when the bytes are not a search file at all
 */
export function readSearchFile(bytes: Uint8Array): SearchFileEntry[] {
  const document = parseUntrustedJson(bytes, {
    code: 'INDEX_INVALID',
    what: `the search file ${SEARCH_FILE_PATH}`,
    maxBytes: MAX_SEARCH_FILE_BYTES,
  }) as Record<string, unknown> | null;
  if (
    document === null ||
    typeof document !== 'object' ||
    document._type !== SEARCH_FILE_TYPE ||
    !Array.isArray(document.plugins)
  ) {
    throw new PluginError('INDEX_INVALID', `${SEARCH_FILE_PATH} is not an agentplug search file`);
  }
  const entries: SearchFileEntry[] = [];
  const seen = new Set<string>();
  for (const value of document.plugins as unknown[]) {
    const entry = readEntry(value);
    if (entry === undefined || seen.has(entry.plugin_id)) continue;
    seen.add(entry.plugin_id);
    entries.push(entry);
  }
  return entries;
}

/** A placeholder version so the index's search rule ranks a search-file entry; never shown or installed. */
const RANKING_VERSION: IndexVersionEntry = {
  version: '0.0.0',
  dependencies: [],
  min_runtime_version: '*',
  max_runtime_version: '*',
  permissions: {
    filesystem_read: [],
    filesystem_write: [],
    network_hosts: [],
    external_apis: [],
    environment_variables: [],
  },
  security_score: 0,
  risk_level: 'low',
  sha256: '0'.repeat(64),
  size: 0,
  published_at: '1970-01-01T00:00:00.000Z',
  yanked: false,
};

/**
 * The plugin ids of a search file that match a search, best first, by the same rule as an index
 * search (relevance, then downloads, then id), with each entry's download count.
 */
export function rankSearchFile(
  entries: readonly SearchFileEntry[],
  search: Omit<SearchQuery, 'limit'>,
): { plugin_id: string; downloads: number }[] {
  const plugins = Object.create(null) as Record<string, IndexPluginEntry>;
  for (const entry of entries) {
    plugins[entry.plugin_id] = {
      ...entry,
      rating: 0,
      rating_count: 0,
      versions: { [RANKING_VERSION.version]: RANKING_VERSION },
    };
  }
  return rankIndex({ plugins }, search).map((ranked) => ({
    plugin_id: ranked.entry.plugin_id,
    downloads: ranked.downloads,
  }));
}
