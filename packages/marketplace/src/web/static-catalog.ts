import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@agentplug/registry-client';
import { type IndexPluginEntry, rankIndex } from '@agentplug/registry-client/protocol';
import type { VersionReport } from '../service/version-report';
import { createCatalogPages } from './catalog-pages';
import type { CatalogReader, CatalogSite } from './catalog-reader';
import { CATALOG_SCRIPT } from './catalog-script';
import { CATALOG_STYLE } from './catalog-style';
import { orderVersions } from './plugin-page';
import { permissionLabels, summarize } from './render-results';
import { publisherSlug, readCatalogSearch } from './search-catalog';

/** The search file's name in a static build: what the page's script searches. */
export const SEARCH_FILE_NAME = 'search.json';

/** One plugin in the search file, the fields the page's script ranks, sorts and shows. */
export interface SearchFileEntry {
  id: string;
  name: string;
  version: string;
  type: string;
  tags: string[];
  description: string;
  summary: string;
  author: string;
  permissions: string[];
  score: number;
  risk: string;
  downloads: number;
  rating: number;
  updated: string;
}

/** What {@link writeStaticCatalog} writes from. */
export interface StaticCatalogOptions {
  outputDirectory: string;
  /** The catalog the signed index lists. */
  plugins: Readonly<Record<string, IndexPluginEntry>>;
  /** The report of each version, keyed `<plugin_id>@<version>`. */
  reports: ReadonlyMap<string, VersionReport>;
  site: CatalogSite;
}

/** The search file's entries: every plugin with a version to show, as the page's script reads them. */
export function buildSearchFile(plugins: Readonly<Record<string, IndexPluginEntry>>): SearchFileEntry[] {
  return rankIndex({ plugins: { ...plugins } }, {}).map(({ entry, latest }) => ({
    id: entry.plugin_id,
    name: entry.name,
    version: latest.version,
    type: entry.plugin_type,
    tags: [...entry.tags],
    description: entry.description,
    summary: summarize(entry.description),
    author: entry.author,
    permissions: permissionLabels(latest.permissions),
    score: latest.security_score,
    risk: latest.risk_level,
    downloads: entry.downloads,
    rating: entry.rating,
    updated: latest.published_at,
  }));
}

/**
 * Writes the web catalog into a static layout: `index.html` (the first page of every plugin; the
 * page's script searches `search.json`), `plugins/<id>/index.html`, `publishers/<slug>/index.html`,
 * `trust/index.html` and `assets/`. Every page carries its policy in a meta tag.
 * @throws PluginError from writing files
 */
export async function writeStaticCatalog(options: StaticCatalogOptions): Promise<{ pages: number }> {
  const { plugins, reports } = options;
  // One object for every search, so the search rule's prepared form is built once.
  const body = { plugins: { ...plugins } };
  const reader: CatalogReader = {
    catalogVersion: () => body,
    rank: (query) => rankIndex(body, query),
    ratingOf: (pluginId) => (Object.hasOwn(plugins, pluginId) ? (plugins[pluginId]?.rating ?? 0) : 0),
    getPlugin: (pluginId) => (Object.hasOwn(plugins, pluginId) ? plugins[pluginId] : undefined),
    getVersionReport: async (pluginId, version) => reports.get(`${pluginId}@${version}`),
  };
  const pages = createCatalogPages(reader, options.site);
  let written = 0;
  const write = async (path: string, text: string): Promise<void> => {
    const file = join(options.outputDirectory, path);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFileAtomic(file, text);
    written += path.endsWith('.html') ? 1 : 0;
  };
  const context = (root: string) => ({ root, staticBuild: true });
  await write('index.html', pages.home(readCatalogSearch(new URLSearchParams()), context('./')).html);
  const authors = new Set<string>();
  for (const entry of Object.values(plugins)) {
    if (orderVersions(entry).shown === undefined) continue;
    authors.add(entry.author);
    // Plugin ids are checked where they enter (the manifest), so an id is one safe path segment.
    const page = await pages.plugin(entry.plugin_id, context('../../'));
    await write(join('plugins', entry.plugin_id, 'index.html'), page.html);
  }
  for (const author of authors) {
    const slug = publisherSlug(author);
    await write(join('publishers', slug, 'index.html'), pages.publisher(slug, context('../../')).html);
  }
  await write(join('trust', 'index.html'), pages.trust(context('../')).html);
  await write(join('assets', 'catalog.css'), CATALOG_STYLE);
  await write(join('assets', 'catalog.js'), CATALOG_SCRIPT);
  await write(SEARCH_FILE_NAME, JSON.stringify(buildSearchFile(plugins)));
  return { pages: written };
}
