import { type IndexPluginEntry, rankIndex } from '@agentplug/registry-client/protocol';
import { describe, expect, it } from 'vitest';
// The registry-client bench's made-up catalog, shared by path as the marketplace bench shares it.
import { buildSyntheticIndex } from '../../../registry-client/bench/synthetic-index';
import { createCatalogPages } from './catalog-pages';
import type { CatalogReader } from './catalog-reader';
import { publisherSlug, readCatalogSearch } from './search-catalog';

const SITE = { marketplaceUrl: 'http://127.0.0.1:1/', publicKey: 'key', keyId: 'key-id' };
const CONTEXT = { root: './', staticBuild: false };

type Plugins = Record<string, IndexPluginEntry>;

/** A reader over a catalog replaced by a new object at each change, as the service's signed index is. */
function createChangingReader(first: Plugins): { reader: CatalogReader; change(next: Plugins): void } {
  let body = { plugins: first };
  return {
    reader: {
      catalogVersion: () => body,
      rank: (query) => rankIndex(body, query),
      ratingOf: (pluginId) =>
        Object.hasOwn(body.plugins, pluginId) ? (body.plugins[pluginId]?.rating ?? 0) : 0,
      getPlugin: (pluginId) => (Object.hasOwn(body.plugins, pluginId) ? body.plugins[pluginId] : undefined),
      getVersionReport: async () => undefined,
    },
    change(next) {
      body = { plugins: next };
    },
  };
}

/** The names of the result rows of a page, in order. */
function resultNames(text: string): string[] {
  return [...text.matchAll(/<li class="result">\s*<h3><a href="[^"]*">([^<]*)<\/a>/g)].map(
    (match) => match[1] ?? '',
  );
}

const SEARCHES = [
  '',
  'q=math&sort=downloads',
  'q=math&sort=downloads&page=2',
  'sort=rating',
  'type=tool&tags=chat&sort=score',
  'sort=updated&page=3',
  'q=nothing-matches',
];

describe('the catalog cache', () => {
  it('serves the same bytes from the cache as a fresh render of the same catalog', () => {
    const plugins = buildSyntheticIndex(600).plugins;
    const cached = createCatalogPages(createChangingReader(plugins).reader, SITE);
    for (const search of SEARCHES) {
      const first = cached.home(readCatalogSearch(new URLSearchParams(search)), CONTEXT);
      const again = cached.home(readCatalogSearch(new URLSearchParams(search)), CONTEXT);
      const fresh = createCatalogPages(createChangingReader(plugins).reader, SITE).home(
        readCatalogSearch(new URLSearchParams(search)),
        CONTEXT,
      );
      expect(again).toEqual(first);
      expect(fresh.html).toBe(first.html);
    }
    const slug = publisherSlug('vendor 3');
    expect(cached.publisher(slug, CONTEXT).html).toBe(
      createCatalogPages(createChangingReader(plugins).reader, SITE).publisher(slug, CONTEXT).html,
    );
    // The same search rendered for a static build differs (its policy rides in a meta tag): not mixed up.
    expect(
      cached.home(readCatalogSearch(new URLSearchParams()), { root: './', staticBuild: true }).html,
    ).toContain('http-equiv="Content-Security-Policy"');
    expect(cached.home(readCatalogSearch(new URLSearchParams()), CONTEXT).html).not.toContain('http-equiv');
  });

  it('a new catalog version empties it: a published plugin shows at once, a yanked one goes', () => {
    const plugins = buildSyntheticIndex(300).plugins;
    const { reader, change } = createChangingReader(plugins);
    const pages = createCatalogPages(reader, SITE);
    const byDownloads = readCatalogSearch(new URLSearchParams('sort=downloads'));
    expect(pages.home(byDownloads, CONTEXT).html).toContain('All 300 plugins');
    const template = Object.values(plugins)[0]!;
    const newcomer: IndexPluginEntry = {
      ...template,
      plugin_id: 'com.newcomer.top',
      name: 'Newcomer Top',
      author: 'newcomer',
      downloads: 1_000_000,
    };
    change({ ...plugins, [newcomer.plugin_id]: newcomer });
    const published = pages.home(byDownloads, CONTEXT).html;
    expect(published).toContain('All 301 plugins');
    expect(resultNames(published)[0]).toBe('Newcomer Top');
    expect(pages.publisher(publisherSlug('newcomer'), CONTEXT).status).toBe(200);
    const yankedVersions = Object.fromEntries(
      Object.entries(newcomer.versions).map(([version, entry]) => [version, { ...entry, yanked: true }]),
    );
    change({ ...plugins, [newcomer.plugin_id]: { ...newcomer, versions: yankedVersions } });
    const yanked = pages.home(byDownloads, CONTEXT).html;
    expect(yanked).toContain('All 300 plugins');
    expect(resultNames(yanked)).not.toContain('Newcomer Top');
    expect(pages.publisher(publisherSlug('newcomer'), CONTEXT).status).toBe(404);
  });

  it('answers a name no one publishes under with 404, and with the page once that author publishes', () => {
    const plugins = buildSyntheticIndex(50).plugins;
    const { reader, change } = createChangingReader(plugins);
    const pages = createCatalogPages(reader, SITE);
    const slug = publisherSlug('late author');
    expect(pages.publisher(slug, CONTEXT).status).toBe(404);
    for (let index = 0; index < 500; index += 1)
      expect(pages.publisher(`no-one-${index}`, CONTEXT).status).toBe(404);
    const template = Object.values(plugins)[0]!;
    change({
      ...plugins,
      'com.late.one': { ...template, plugin_id: 'com.late.one', name: 'Late One', author: 'late author' },
    });
    const page = pages.publisher(slug, CONTEXT);
    expect(page.status).toBe(200);
    expect(resultNames(page.html)).toEqual(['Late One']);
  });
});
