import type { ServerResponse } from 'node:http';
import { httpStatusForCode, PluginError } from '@agentplug/models';
import type { HttpMethod, Route } from '../http/route-table';
import { type CatalogPages, createCatalogPages, type RenderedPage } from './catalog-pages';
import type { CatalogReader, CatalogSite } from './catalog-reader';
import { CATALOG_SCRIPT } from './catalog-script';
import { CATALOG_STYLE } from './catalog-style';
import { CATALOG_CONTENT_SECURITY_POLICY, type PageContext } from './page-layout';
import { readCatalogSearch } from './search-catalog';

const READ: readonly HttpMethod[] = ['GET', 'HEAD'];

/** Headers of every catalog answer: the policy, no sniffing, no referrer, no framing. */
const SECURITY_HEADERS = {
  'content-security-policy': CATALOG_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const;

function send(
  response: ServerResponse,
  method: HttpMethod,
  answer: { status: number; type: string; body: string; cache: string },
): void {
  const body = Buffer.from(answer.body);
  response.writeHead(answer.status, {
    ...SECURITY_HEADERS,
    'content-type': answer.type,
    'content-length': body.length,
    'cache-control': answer.cache,
  });
  response.end(method === 'HEAD' ? undefined : body);
}

function sendPage(response: ServerResponse, method: HttpMethod, page: RenderedPage): void {
  // Pages change with every signed index (counters included), so a cache revalidates them every time.
  send(response, method, {
    status: page.status,
    type: 'text/html; charset=utf-8',
    body: page.html,
    cache: 'no-cache',
  });
}

const context = (root: string): PageContext => ({ root, staticBuild: false });

/** A page handler that answers any failure with an HTML page carrying the error table's status. */
function pageRoute(
  path: string,
  pages: CatalogPages,
  root: string,
  render: (parameters: {
    params: Readonly<Record<string, string>>;
    url: URL;
  }) => RenderedPage | Promise<RenderedPage>,
): Route {
  return {
    methods: READ,
    path,
    async handle({ response, method, params, url }) {
      let page: RenderedPage;
      try {
        page = await render({ params, url });
      } catch (error) {
        const code = PluginError.is(error) ? error.code : 'INTERNAL';
        const status = httpStatusForCode(code);
        const what =
          status >= 500 ? 'Something went wrong on the server.' : `This request was refused (${code}).`;
        page = { ...pages.notFound(what, context(root)), status };
      }
      sendPage(response, method, page);
    },
  };
}

/**
 * The web catalog's routes for the marketplace's route table: the home page with search at `/`,
 * `/plugins/:id/`, `/publishers/:slug/`, `/trust/`, and the stylesheet and script under `/assets/`.
 * Every page is server-rendered HTML with a strict Content-Security-Policy.
 */
export function createCatalogRoutes(reader: CatalogReader, site: CatalogSite): Route[] {
  const pages = createCatalogPages(reader, site);
  const asset = (path: string, type: string, body: string): Route => ({
    methods: READ,
    path,
    handle: ({ response, method }) =>
      send(response, method, { status: 200, type, body, cache: 'public, max-age=300' }),
  });
  const redirect = (path: string): Route => ({
    methods: READ,
    path,
    handle({ response, url }) {
      response.writeHead(308, { location: `${url.pathname}/${url.search}`, 'content-length': 0 });
      response.end();
    },
  });
  return [
    pageRoute('/', pages, './', ({ url }) => pages.home(readCatalogSearch(url.searchParams), context('./'))),
    pageRoute('/plugins/:pluginId/', pages, '../../', ({ params }) =>
      pages.plugin(params.pluginId ?? '', context('../../')),
    ),
    redirect('/plugins/:pluginId'),
    pageRoute('/publishers/:slug/', pages, '../../', ({ params }) =>
      pages.publisher(params.slug ?? '', context('../../')),
    ),
    redirect('/publishers/:slug'),
    pageRoute('/trust/', pages, '../', () => pages.trust(context('../'))),
    redirect('/trust'),
    asset('/assets/catalog.css', 'text/css; charset=utf-8', CATALOG_STYLE),
    asset('/assets/catalog.js', 'text/javascript; charset=utf-8', CATALOG_SCRIPT),
  ];
}
