import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CatalogFigure, measureCatalogFigures } from '../bench/catalog-figures';
import { startLargeMarketplace } from '../bench/large-store';
import { launchChromium } from './helpers/chromium';

/** Where the figures are recorded, beside the screenshots (the README names this folder). */
const ARTIFACTS_FOLDER = fileURLToPath(new URL('../test-artifacts/catalog/', import.meta.url));
const PLUGINS = 10_000;

let large: Awaited<ReturnType<typeof startLargeMarketplace>>;
let browser: Browser;

beforeAll(async () => {
  [large, browser] = await Promise.all([startLargeMarketplace(PLUGINS), launchChromium()]);
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await large?.close();
});

describe('the web catalog over 10,000 plugins', () => {
  it('records its time to first byte and transferred bytes; each page stays under 100 KB', async () => {
    const pluginId = Object.keys(large.body.plugins)[0] ?? '';
    const figures: CatalogFigure[] = await measureCatalogFigures({
      browser,
      marketplaceUrl: large.server.url,
      pluginId,
      plugins: PLUGINS,
      rounds: 7,
    });
    await mkdir(ARTIFACTS_FOLDER, { recursive: true });
    await writeFile(join(ARTIFACTS_FOLDER, 'figures.json'), `${JSON.stringify(figures, null, 2)}\n`);
    const [home, search, homeBytes, pluginBytes] = figures;
    // The byte goals hold on any machine: a page shows 20 results and one plugin, whatever the catalog's size.
    expect(homeBytes?.value).toBeLessThan(100 * 1024);
    expect(pluginBytes?.value).toBeLessThan(100 * 1024);
    expect(homeBytes?.value).toBeGreaterThan(homeBytes?.baseline ?? Number.POSITIVE_INFINITY);
    // Timings are checked against the 50 ms goal by `pnpm bench` on a quiet machine; here, on a
    // shared one, only that they were measured and stay far from a full scan per row.
    for (const timing of [home, search]) {
      expect(timing?.value).toBeGreaterThan(0);
      expect(timing?.value).toBeLessThan(2000);
    }
  }, 300_000);
});
