import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { buildStaticMarketplace, generateSigningKeyPair, packPlugin } from '../src/index';
import { EXAMPLES_FOLDER } from './helpers/catalog-fixtures';
import { launchChromium } from './helpers/chromium';
import { startStaticFileServer } from './helpers/static-file-server';

let browser: Browser;
let host: Awaited<ReturnType<typeof startStaticFileServer>>;
let output: string;
let pages = 0;
let archives: string;
const keys = generateSigningKeyPair();

beforeAll(async () => {
  const root = await createTemporaryFolder('agentplug-static-catalog-');
  archives = join(root, 'archives');
  output = join(root, 'site');
  await mkdir(archives, { recursive: true });
  await mkdir(output, { recursive: true });
  // word-stats is refused by the validator on purpose; the build would stop at it.
  for (const name of (await readdir(EXAMPLES_FOLDER)).filter((name) => name !== 'word-stats')) {
    await packPlugin(join(EXAMPLES_FOLDER, name), { outputDirectory: archives });
  }
  [browser, host] = await Promise.all([launchChromium(), startStaticFileServer(output)]);
  ({ catalogPages: pages } = await buildStaticMarketplace({
    archivesDirectory: archives,
    outputDirectory: output,
    signingKey: keys,
    publicUrl: host.url,
  }));
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
});

describe('the web catalog in a static build', () => {
  it('writes every page, the assets and a search file', async () => {
    // Home, 7 plugins, 1 publisher, trust.
    expect(pages).toBe(10);
    const search = JSON.parse(await readFile(join(output, 'search.json'), 'utf8')) as { id: string }[];
    expect(search.map((entry) => entry.id).sort()).toEqual([
      'com.example.calculator',
      'com.example.hello',
      'com.example.mathlib',
      'com.example.planner',
      'com.example.redact',
      'com.example.text-tools',
      'com.example.weather',
    ]);
    const home = await readFile(join(output, 'index.html'), 'utf8');
    expect(home).toContain('<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;');
    // The pages show the public key only: a rebuild into the same folder finds no key material there.
    const again = await buildStaticMarketplace({
      archivesDirectory: archives,
      outputDirectory: output,
      signingKey: keys,
      publicUrl: host.url,
    });
    expect(again.catalogPages).toBe(10);
  });

  it('searches in the page over search.json from a plain file host, and links to static pages', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(host.url);
    expect(await page.locator('#results > li.result').count()).toBe(7);
    await page.getByLabel('Search', { exact: true }).fill('math');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=math/);
    await expect.poll(() => page.locator('#results-heading').textContent()).toBe('2 plugins found');
    expect(await page.locator('#results h3 a').allTextContents()).toEqual([
      'Math Library',
      'Calculator Plugin',
    ]);
    await page.getByRole('link', { name: 'Calculator Plugin' }).click();
    await page.waitForURL(/\/plugins\/com\.example\.calculator\/$/);
    expect(await page.locator('pre[data-copy="install command"]').textContent()).toContain(
      `--marketplace ${host.url}`,
    );
    await page.goto(`${host.url}plugins/com.example.weather/`);
    expect(await page.getByRole('table', { name: 'Findings' }).locator('tbody tr').count()).toBeGreaterThan(
      0,
    );
    await page.goto(`${host.url}?type=integration`);
    await expect.poll(() => page.locator('#results h3 a').allTextContents()).toEqual(['Weather Integration']);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('refuses a public URL that is not http(s) before writing anything', async () => {
    const empty = await createTemporaryFolder('agentplug-static-refused-');
    await expect(
      buildStaticMarketplace({
        archivesDirectory: empty,
        outputDirectory: join(empty, 'site'),
        signingKey: generateSigningKeyPair(),
        publicUrl: 'javascript:alert(1)',
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(empty)).toEqual([]);
  });
});
