import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogFixture,
  HOSTILE_ID,
  hostileText,
  startCatalogFixture,
  startCountingServer,
  WIDENING_ID,
} from './helpers/catalog-fixtures';
import { launchChromium } from './helpers/chromium';

// The functions given to page.evaluate run in Chromium. This package compiles without the DOM
// library (its fetch types clash with Node's), so they see the page's globals through this narrow view.
interface PageNode {
  id: string;
  textContent: string | null;
  src: string;
  scrollWidth: number;
  matches(selector: string): boolean;
  append(node: PageNode): void;
}
declare const document: {
  activeElement: PageNode | null;
  body: PageNode;
  head: PageNode;
  documentElement: PageNode;
  createElement(tag: string): PageNode;
  addEventListener(
    type: 'securitypolicyviolation',
    listener: (event: { violatedDirective: string }) => void,
  ): void;
};
declare const window: Record<string, unknown>;
declare function getComputedStyle(node: PageNode): {
  outlineStyle: string;
  display: string;
  backgroundColor: string;
};
declare const navigator: { clipboard: { readText(): Promise<string> } };

/** Where the screenshots go (the README names this folder; not committed). */
const ARTIFACTS_FOLDER = fileURLToPath(new URL('../test-artifacts/catalog/', import.meta.url));

let fixture: CatalogFixture;
let beacon: Awaited<ReturnType<typeof startCountingServer>>;
let browser: Browser;
let axeSource: string;

beforeAll(async () => {
  beacon = await startCountingServer();
  [fixture, browser] = await Promise.all([startCatalogFixture(beacon.url), launchChromium()]);
  axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await fixture?.close();
  await beacon?.close();
});

/** What a page did that it must not: dialogs, requests to another origin, script errors, policy violations. */
interface PageTrouble {
  dialogs: string[];
  foreignRequests: string[];
  errors: string[];
}

/** A fresh context and page that record every dialog, request elsewhere and script error. */
async function openPage(
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; page: Page; trouble: PageTrouble }> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const trouble: PageTrouble = { dialogs: [], foreignRequests: [], errors: [] };
  const origin = new URL(fixture.server.url).origin;
  page.on('dialog', (dialog) => {
    trouble.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('request', (request) => {
    if (new URL(request.url()).origin !== origin) trouble.foreignRequests.push(request.url());
  });
  page.on('pageerror', (error) => trouble.errors.push(error.message));
  return { context, page, trouble };
}

const url = (path: string): string => new URL(path, fixture.server.url).href;

async function resultNames(page: Page): Promise<string[]> {
  return page.locator('#results > li.result h3 a').allTextContents();
}

/** Presses Tab until the focused element matches, at most `limit` times; returns the presses needed. */
async function tabTo(page: Page, selector: string, limit = 40): Promise<number> {
  for (let presses = 1; presses <= limit; presses += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((wanted) => document.activeElement?.matches(wanted) ?? false, selector)) {
      return presses;
    }
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('the web catalog in Chromium', () => {
  it('searches by words, type and tags and sorts, through the form', async () => {
    const { context, page, trouble } = await openPage();
    await page.goto(url('/'));
    expect(await page.title()).toBe('Plugins · agentplug marketplace');
    await page.getByLabel('Search', { exact: true }).fill('math');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/\?q=math/);
    expect(await resultNames(page)).toEqual(['Math Library', 'Calculator Plugin']);
    expect(await page.locator('#results-heading').textContent()).toBe('2 plugins found');

    await page.getByLabel('Search', { exact: true }).fill('');
    await page.getByLabel('Plugin type').selectOption('integration');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/type=integration/);
    expect(await resultNames(page)).toEqual(['Weather Integration']);
    const row = page.locator('#results > li.result').first();
    expect(await row.locator('.badge').textContent()).toMatch(/^Score \d+ · low risk$/);
    expect(await row.locator('.chips li').allTextContents()).toEqual(['network', 'external APIs']);

    await page.getByLabel('Plugin type').selectOption('');
    await page.getByLabel('Tags').fill('hostile');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/tags=hostile/);
    expect(await resultNames(page)).toEqual([hostileText(beacon.url).name]);

    await page.getByLabel('Tags').fill('');
    await page.getByLabel('Sort by').selectOption('rating');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/sort=rating/);
    expect((await resultNames(page)).slice(0, 2)).toEqual(['Weather Integration', 'Hello World Plugin']);
    expect(trouble).toEqual({ dialogs: [], foreignRequests: [], errors: [] });
    await context.close();
  });

  it("shows a plugin's permissions, score breakdown, findings, versions, yanks and dependencies", async () => {
    const { context, page, trouble } = await openPage();
    await page.goto(url('/plugins/com.example.weather/'));
    const permissions = page.locator('section[aria-labelledby="permissions"]');
    expect(await permissions.locator('li').allTextContents()).toEqual([
      'Connects over the network to: 127.0.0.1',
      'Calls the external APIs: example_weather',
    ]);
    const breakdown = page.getByRole('table', { name: 'Score breakdown' });
    expect(await breakdown.locator('tbody tr').first().locator('td').allTextContents()).toEqual([
      'network',
      '-10',
      expect.stringContaining('main.js'),
    ]);
    const findings = page.getByRole('table', { name: 'Findings' });
    const finding = await findings.locator('tbody tr').first().locator('td').allTextContents();
    expect(finding[2]).toMatch(/^main\.js:\d+:\d+$/);
    expect(finding[3]).toContain('uses the network with fetch');
    expect(await page.locator('dl.facts').textContent()).toContain('4.5 of 5 (2 ratings)');
    expect(await page.locator('pre[data-copy="install command"]').textContent()).toBe(
      `npx @agentplug/cli install com.example.weather --marketplace ${fixture.server.url} --trusted-key ${fixture.keys.publicKey}`,
    );
    expect(await page.locator('pre[data-copy="host code"]').textContent()).toContain(
      'await registry.install("com.example.weather");',
    );

    await page.goto(url('/plugins/com.example.mathlib/'));
    const versions = page.getByRole('table', { name: 'Versions, newest first' });
    const rows = versions.locator('tbody tr');
    expect(await rows.locator('td:first-child').allTextContents()).toEqual(['2.1.0', '1.4.0']);
    expect(await rows.nth(1).locator('.yanked').textContent()).toBe('Yanked');
    expect(await rows.nth(0).locator('.yanked').count()).toBe(0);
    expect(await rows.nth(1).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    await page.goto(url(`/plugins/${WIDENING_ID}/`));
    expect(await page.locator('section[aria-labelledby="permissions"] .widened').textContent()).toBe(
      'Widened in 1.1.0',
    );

    await page.goto(url('/plugins/com.example.calculator/'));
    await page
      .locator('section[aria-labelledby="dependencies"]')
      .getByRole('link', { name: 'com.example.mathlib' })
      .click();
    await page.waitForURL(/\/plugins\/com\.example\.mathlib\/$/);
    expect(await page.locator('h1').textContent()).toBe('Math Library');
    expect(trouble).toEqual({ dialogs: [], foreignRequests: [], errors: [] });
    await context.close();
  });

  it('shows the hostile plugin as text: nothing executes, nothing renders as markup, nothing loads', async () => {
    const hostile = hostileText(beacon.url);
    const { context, page, trouble } = await openPage();
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (directive: string) => violations.push(directive));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) =>
        (window as unknown as { reportViolation(text: string): void }).reportViolation(
          event.violatedDirective,
        ),
      );
    });
    for (const path of [`/plugins/${HOSTILE_ID}/`, '/?q=markup', '/?tags=hostile']) {
      await page.goto(url(path));
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
      // Ours is the one script; the plugin's text added no element of its own.
      expect(await page.locator('script').count()).toBe(1);
      expect(
        await page.locator('main img, main iframe, main style, main link, main meta, main b, main i').count(),
      ).toBe(0);
      const hrefs = await page
        .locator('main a')
        .evaluateAll((links) => links.map((link) => link.getAttribute('href') ?? ''));
      expect(hrefs.filter((href) => !/^(\.\.\/|\.\/|\?|https?:\/\/)/.test(href))).toEqual([]);
    }
    // The plugin's name, description and publisher read exactly as written, escapes made visible.
    await page.goto(url(`/plugins/${HOSTILE_ID}/`));
    expect(await page.locator('h1').textContent()).toBe(hostile.name);
    expect(await page.locator('p.description').textContent()).toBe(hostile.description);
    expect(await page.locator('dl.facts dd').first().textContent()).toBe(hostile.author);
    const readme = page.locator('section.readme');
    expect(await readme.locator('h1, h2, h3').allTextContents()).toContain(
      'Hostile <script>window.__pwned = 1</script>',
    );
    const readmeText = (await readme.textContent()) ?? '';
    expect(readmeText).toContain(`<img src="${beacon.url}readme.png" onerror="window.__pwned = 1">`);
    expect(readmeText).toContain('Terminal: \u241B[31mred\u241B[0m');
    expect(readmeText).not.toContain('\u001b');
    expect(readmeText).not.toContain('\u202e');
    // The javascript: link is text; the http link to elsewhere stays a plain, referrer-less link.
    expect(await readme.getByRole('link', { name: 'click' }).count()).toBe(0);
    expect(await readme.getByRole('link', { name: 'beacon' }).getAttribute('rel')).toBe(
      'nofollow noopener noreferrer',
    );
    expect(violations).toEqual([]);
    expect(trouble).toEqual({ dialogs: [], foreignRequests: [], errors: [] });
    expect(beacon.count()).toBe(0);
    await context.close();
  });

  it('enforces its Content-Security-Policy: injected inline script, inline style and foreign images do not load', async () => {
    const { context, page } = await openPage();
    await page.goto(url('/plugins/com.example.hello/'));
    const outcome = await page.evaluate(async () => {
      const blocked: string[] = [];
      document.addEventListener('securitypolicyviolation', (event) => blocked.push(event.violatedDirective));
      const script = document.createElement('script');
      script.textContent = 'window.__injected = 1';
      document.body.append(script);
      const style = document.createElement('style');
      style.textContent = 'body { display: none }';
      document.head.append(style);
      const image = document.createElement('img');
      image.src = 'http://127.0.0.1:9/pixel.png';
      document.body.append(image);
      await new Promise((resolve) => setTimeout(resolve, 200));
      return {
        injected: (window as unknown as { __injected?: number }).__injected,
        display: getComputedStyle(document.body).display,
        blocked: [...new Set(blocked)].sort(),
      };
    });
    expect(outcome).toEqual({
      injected: undefined,
      display: 'block',
      blocked: ['img-src', 'script-src-elem', 'style-src-elem'],
    });
    await context.close();
  });

  it('works without JavaScript: the form searches and the pages show everything', async () => {
    const { context, page } = await openPage({ javaScriptEnabled: false });
    await page.goto(url('/'));
    await page.getByLabel('Search', { exact: true }).fill('weather');
    await page.getByLabel('Search', { exact: true }).press('Enter');
    await page.waitForURL(/\?q=weather/);
    expect(await resultNames(page)).toEqual(['Weather Integration']);
    await page.getByRole('link', { name: 'Weather Integration' }).click();
    await page.waitForURL(/\/plugins\/com\.example\.weather\/$/);
    expect(await page.locator('pre[data-copy="install command"]').textContent()).toContain(
      'install com.example.weather',
    );
    // The copy buttons are the script's enhancement: without it there are none, and nothing is missing.
    expect(await page.locator('button.copy').count()).toBe(0);
    expect(await page.getByRole('table', { name: 'Findings' }).locator('tbody tr').count()).toBeGreaterThan(
      0,
    );
    await context.close();
  });

  it('adds copy buttons with JavaScript, and they copy the exact command', async () => {
    const { context, page } = await openPage({ permissions: ['clipboard-read', 'clipboard-write'] });
    await page.goto(url('/plugins/com.example.hello/'));
    await page.getByRole('button', { name: 'Copy install command' }).click();
    await expect.poll(() => page.locator('#status').textContent()).toBe('Copied the install command.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(
      await page.locator('pre[data-copy="install command"]').textContent(),
    );
    await context.close();
  });

  it('can be used with the keyboard alone: skip link, search, results, plugin page', async () => {
    const { context, page } = await openPage();
    await page.goto(url('/'));
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // The focused element shows a visible outline.
    expect(await page.evaluate(() => getComputedStyle(document.activeElement as PageNode).outlineStyle)).toBe(
      'solid',
    );
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
    await tabTo(page, '#search-query');
    await page.keyboard.type('weather');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?q=weather/);
    await tabTo(page, '#results a');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Weather Integration');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/plugins\/com\.example\.weather\/$/);
    await tabTo(page, 'a[href="../../trust/"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/trust\/$/);
    expect(await page.locator('h1').textContent()).toBe('Trust this marketplace');
    await context.close();
  });

  it('passes axe-core with no serious or critical violation, light and dark, desktop and phone', async () => {
    const publisher = await (async () => {
      const { context, page } = await openPage();
      await page.goto(url('/plugins/com.example.hello/'));
      const href = await page.locator('dl.facts a').first().getAttribute('href');
      await context.close();
      return new URL(href ?? '', url('/plugins/com.example.hello/')).pathname;
    })();
    const paths = [
      '/',
      '/?q=math',
      '/plugins/com.example.weather/',
      `/plugins/${HOSTILE_ID}/`,
      publisher,
      '/trust/',
      '/plugins/com.example.none/',
    ];
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 390, height: 844 },
      ]) {
        const { context, page } = await openPage({ colorScheme, viewport });
        for (const path of paths) {
          await page.goto(url(path));
          await page.evaluate(axeSource);
          const { passes, violations } = await page.evaluate(async () => {
            const axe = (
              window as unknown as {
                axe: {
                  run(): Promise<{
                    passes: unknown[];
                    violations: { id: string; impact: string; nodes: unknown[] }[];
                  }>;
                };
              }
            ).axe;
            const results = await axe.run();
            return {
              passes: results.passes.length,
              violations: results.violations.map((violation) => ({
                id: violation.id,
                impact: violation.impact,
                nodes: violation.nodes.length,
              })),
            };
          });
          // axe really ran its rules on this page (color contrast, labels, landmarks, ...).
          expect(passes, path).toBeGreaterThan(10);
          for (const violation of violations) {
            if (violation.impact === 'serious' || violation.impact === 'critical') {
              found.push(`${colorScheme} ${viewport.width}px ${path}: ${violation.id} (${violation.nodes})`);
            }
          }
        }
        await context.close();
      }
    }
    expect(found).toEqual([]);
  }, 300_000);
});

describe('the web catalog on a phone and in both schemes', () => {
  it('reflows to a phone width without sideways scrolling, follows the system scheme, and saves screenshots', async () => {
    await mkdir(ARTIFACTS_FOLDER, { recursive: true });
    const pages = { home: '/', plugin: '/plugins/com.example.weather/', hostile: `/plugins/${HOSTILE_ID}/` };
    const sizes = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };
    const backgrounds: Record<string, string> = {};
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const [size, viewport] of Object.entries(sizes)) {
        const { context, page } = await openPage({ colorScheme, viewport });
        for (const [name, path] of Object.entries(pages)) {
          await page.goto(url(path));
          expect(
            await page.evaluate(() => document.documentElement.scrollWidth),
            `${name} at ${size}`,
          ).toBeLessThanOrEqual(viewport.width);
          backgrounds[colorScheme] = await page.evaluate(
            () => getComputedStyle(document.body).backgroundColor,
          );
          if (name !== 'hostile' && colorScheme === 'light') {
            await page.screenshot({
              path: join(ARTIFACTS_FOLDER, `${name}-${size}.png`),
              fullPage: size === 'phone',
            });
          }
        }
        await context.close();
      }
    }
    expect(backgrounds).toEqual({ light: 'rgb(255, 255, 255)', dark: 'rgb(17, 19, 24)' });
    for (const name of ['home-desktop', 'home-phone', 'plugin-desktop', 'plugin-phone']) {
      const bytes = await readFile(join(ARTIFACTS_FOLDER, `${name}.png`));
      expect(bytes.subarray(1, 4).toString('latin1'), name).toBe('PNG');
    }
  }, 180_000);
});
