import { isValidPluginId, PluginError } from '@agentplug/models';
import { CatalogCache } from './catalog-cache';
import type { CatalogReader, CatalogSite } from './catalog-reader';
import { renderHomePage } from './home-page';
import { renderNotFoundPage, renderPublisherPage, renderTrustPage } from './other-pages';
import type { PageContext } from './page-layout';
import { orderVersions, renderPluginPage } from './plugin-page';
import {
  type CatalogResult,
  type CatalogSearch,
  formatCatalogSearch,
  publisherSlug,
  rankEveryPlugin,
  searchCatalog,
  sortRanked,
  toCatalogResult,
} from './search-catalog';

/** A rendered page and the status to answer it with. */
export interface RenderedPage {
  status: number;
  html: string;
}

/**
 * The catalog's pages over a reader, independent of how they are delivered: the server's routes
 * and the static builder both call these.
 */
export interface CatalogPages {
  home(search: CatalogSearch, context: PageContext): RenderedPage;
  plugin(pluginId: string, context: PageContext): Promise<RenderedPage>;
  publisher(slug: string, context: PageContext): RenderedPage;
  trust(context: PageContext): RenderedPage;
  notFound(what: string, context: PageContext): RenderedPage;
}

/** Creates the catalog's pages over a reader and the site's trust details. */
export function createCatalogPages(reader: CatalogReader, site: CatalogSite): CatalogPages {
  // Authors repeat across a catalog; their slugs (a hash each) are worked out once.
  const slugs = new Map<string, string>();
  const slugOf = (author: string): string => {
    let slug = slugs.get(author);
    if (slug === undefined) {
      if (slugs.size > 100_000) slugs.clear();
      slug = publisherSlug(author);
      slugs.set(author, slug);
    }
    return slug;
  };
  const notFound = (what: string, context: PageContext): RenderedPage => ({
    status: 404,
    html: renderNotFoundPage(context, what),
  });
  const cache = new CatalogCache();
  // A page depends on the catalog version (the cache's), where it is rendered for, and what it asks.
  const pageKey = (kind: string, context: PageContext, asked: string): string =>
    `${kind}\u0000${context.root}\u0000${context.staticBuild ? 'static' : 'server'}\u0000${asked}`;
  return {
    home(search, context) {
      cache.use(reader.catalogVersion());
      return cache.page(pageKey('home', context, formatCatalogSearch(search)), () => ({
        status: 200,
        html: renderHomePage(context, search, searchCatalog(reader, search, cache)),
      }));
    },
    async plugin(pluginId, context) {
      const entry = isValidPluginId(pluginId) ? reader.getPlugin(pluginId) : undefined;
      if (entry === undefined) return notFound('This marketplace has no plugin with that id.', context);
      const { shown } = orderVersions(entry);
      let report: Awaited<ReturnType<CatalogReader['getVersionReport']>>;
      try {
        report = shown === undefined ? undefined : await reader.getVersionReport(pluginId, shown.version);
      } catch (error) {
        // A damaged report must not take the page down; the page says no report is kept.
        if (!PluginError.is(error)) throw error;
        report = undefined;
      }
      const html = renderPluginPage(context, {
        entry,
        report,
        listed: (dependencyId) => reader.getPlugin(dependencyId) !== undefined,
        site,
      });
      return { status: 200, html };
    },
    publisher(slug, context) {
      cache.use(reader.catalogVersion());
      const key = pageKey('publisher', context, slug);
      const kept = cache.peekPage(key);
      if (kept !== undefined) return kept;
      const matches = rankEveryPlugin(reader, cache).filter((ranked) => slugOf(ranked.entry.author) === slug);
      const author = matches[0]?.entry.author;
      // Not kept: any slug can be asked for, and misses must not push out the pages that exist.
      if (author === undefined) return notFound('No plugin here is published under that name.', context);
      const results: CatalogResult[] = sortRanked(matches, 'downloads', reader).map((ranked) =>
        toCatalogResult(ranked, reader),
      );
      return cache.page(key, () => ({ status: 200, html: renderPublisherPage(context, author, results) }));
    },
    trust: (context) => ({ status: 200, html: renderTrustPage(context, site) }),
    notFound,
  };
}
