// The web catalog's figures over a large store, measured in Chromium: server time to first byte of
// the home page and of a search, and the bytes a browser transfers for the home page and a plugin
// page. The bench prints them; test/catalog-figures.test.ts records them and checks the byte goals.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { median, round } from '../../registry-client/bench/synthetic-index';

/** One figure, as `pnpm bench` prints it. */
export interface CatalogFigure {
  name: string;
  value: number;
  unit: string;
  baseline: number;
  ratio: number;
  goal: string;
}

/** Where to measure. */
export interface CatalogFiguresOptions {
  browser: Browser;
  /** The marketplace's URL (trailing slash). */
  marketplaceUrl: string;
  /** A plugin whose page is measured. */
  pluginId: string;
  /** How many plugins the store holds (for the figures' names). */
  plugins: number;
  /** Navigations per timing; default 15. */
  rounds?: number;
}

/** Chromium's own measure of the time to first byte (Navigation Timing: responseStart − requestStart), median of `rounds` loads. */
async function timeToFirstByte(page: Page, url: string, rounds: number): Promise<number> {
  const times: number[] = [];
  for (let index = -1; index < rounds; index += 1) {
    await page.goto(url);
    // A string: it runs in Chromium, and this package compiles without the DOM library.
    const time = (await page.evaluate(
      "(() => { const [entry] = performance.getEntriesByType('navigation'); return entry ? entry.responseStart - entry.requestStart : NaN; })()",
    )) as number;
    // The first load warms the connection and the server's caches.
    if (index >= 0) times.push(time);
  }
  return median(times);
}

/** Bytes of every response a fresh browser context received for a page (uncompressed: the server sends no encoding). */
async function transferredBytes(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const sizes: Promise<number>[] = [];
    page.on('response', (response) => sizes.push(response.body().then((body) => body.length)));
    await page.goto(url, { waitUntil: 'load' });
    return (await Promise.all(sizes)).reduce((total, size) => total + size, 0);
  } finally {
    await context.close();
  }
}

/** A server that answers every request with the same bytes and does no work: the floor a page's timing is compared with. */
async function startRawServer(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      'cache-control': 'no-store',
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const figure = (
  name: string,
  value: number,
  unit: string,
  baseline: number,
  goal: string,
): CatalogFigure => ({
  name,
  value: round(value),
  unit,
  baseline: round(baseline),
  ratio: round(value / baseline),
  goal,
});

/**
 * Measures the catalog's figures in Chromium. Timings are against a raw server answering the same
 * home page bytes with no work; byte counts are against the JSON the API answers for the same data
 * (a search's first 20 results, a plugin's entry).
 */
export async function measureCatalogFigures(options: CatalogFiguresOptions): Promise<CatalogFigure[]> {
  const rounds = options.rounds ?? 15;
  const base = options.marketplaceUrl;
  const count = options.plugins.toLocaleString('en-US');
  const homeHtml = Buffer.from(await (await fetch(base)).arrayBuffer());
  const raw = await startRawServer(homeHtml);
  const context = await options.browser.newContext();
  try {
    const page = await context.newPage();
    const rawTime = await timeToFirstByte(page, raw.url, rounds);
    const homeTime = await timeToFirstByte(page, base, rounds);
    const searchTime = await timeToFirstByte(page, `${base}?q=math&sort=downloads`, rounds);
    const pluginUrl = `${base}plugins/${encodeURIComponent(options.pluginId)}/`;
    const homeBytes = await transferredBytes(options.browser, base);
    const pluginBytes = await transferredBytes(options.browser, pluginUrl);
    const jsonBytes = async (path: string): Promise<number> =>
      (await (await fetch(new URL(path, base))).arrayBuffer()).byteLength;
    return [
      figure(
        `catalog home page, server time to first byte in Chromium (${count} plugins; baseline a raw server sending the same bytes)`,
        homeTime,
        'ms',
        rawTime,
        '< 50 ms',
      ),
      figure(
        `catalog search "math" sorted by downloads, server time to first byte in Chromium (${count} plugins; baseline a raw server)`,
        searchTime,
        'ms',
        rawTime,
        '< 50 ms',
      ),
      figure(
        `catalog home page, bytes transferred with its stylesheet and script (${count} plugins; baseline the API's JSON for the same 20 results)`,
        homeBytes,
        'bytes',
        await jsonBytes('api/v1/search?limit=20'),
        '< 100 KB (102400 bytes)',
      ),
      figure(
        `catalog plugin page, bytes transferred with its stylesheet and script (baseline the API's JSON entry of the plugin)`,
        pluginBytes,
        'bytes',
        await jsonBytes(`api/v1/plugins/${encodeURIComponent(options.pluginId)}`),
        '< 100 KB (102400 bytes)',
      ),
    ];
  } finally {
    await context.close();
    await raw.close();
  }
}
