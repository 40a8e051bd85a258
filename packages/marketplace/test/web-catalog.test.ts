import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CatalogFixture,
  HOSTILE_ID,
  startCatalogFixture,
  startCountingServer,
  WIDENING_ID,
} from './helpers/catalog-fixtures';

let fixture: CatalogFixture;
let beacon: Awaited<ReturnType<typeof startCountingServer>>;

beforeAll(async () => {
  beacon = await startCountingServer();
  fixture = await startCatalogFixture(beacon.url);
}, 120_000);

afterAll(async () => {
  await fixture?.close();
  await beacon?.close();
});

async function page(path: string): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(new URL(path, fixture.server.url), { redirect: 'manual' });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The names of the result rows of a page, in order. */
function resultNames(text: string): string[] {
  return [...text.matchAll(/<li class="result">\s*<h3><a href="[^"]*">([^<]*)<\/a>/g)].map(
    (match) => match[1] ?? '',
  );
}

describe('the web catalog over HTTP', () => {
  it('serves the home page at / as HTML with a strict policy and the security headers', async () => {
    const home = await page('/');
    expect(home.status).toBe(200);
    expect(home.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(home.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(home.headers.get('x-content-type-options')).toBe('nosniff');
    expect(home.headers.get('referrer-policy')).toBe('no-referrer');
    expect(home.text).toContain(`All ${new Set(fixture.published).size + 2} plugins`);
    // No inline script or style anywhere: the policy would block them.
    expect(home.text).not.toMatch(/<script>|<script(?![^>]*\bsrc=)|<style|style=/);
    const head = await fetch(new URL('/', fixture.server.url), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('searches by words, type and tags, and sorts', async () => {
    expect(resultNames((await page('/?q=math')).text)).toEqual(['Math Library', 'Calculator Plugin']);
    expect(resultNames((await page('/?type=integration')).text)).toEqual(['Weather Integration']);
    expect(resultNames((await page('/?tags=hostile,%3Cb%3Etag%3C/b%3E')).text)).toHaveLength(1);
    const byRating = resultNames((await page('/?sort=rating')).text);
    expect(byRating.slice(0, 2)).toEqual(['Weather Integration', 'Hello World Plugin']);
    const byScore = resultNames((await page('/?sort=score')).text);
    expect(byScore.at(-1)).not.toBe(byScore[0]);
    expect((await page('/?q=nothing-matches-this')).text).toContain('0 plugins found');
    // Unknown values fall back to their defaults instead of failing.
    expect((await page('/?type=bogus&sort=bogus&page=-4')).status).toBe(200);
  });

  it('renders a plugin page with permissions, score breakdown, findings, versions and yanks', async () => {
    const weather = (await page('/plugins/com.example.weather/')).text;
    expect(weather).toContain('<strong>Connects over the network to</strong>: <code>127.0.0.1</code>');
    expect(weather).toMatch(/<tr><td>network<\/td><td>-10<\/td>/);
    expect(weather).toMatch(/<code>main\.js:\d+:\d+<\/code><\/td><td>uses the network with fetch/);
    expect(weather).toContain('4.5 of 5 (2 ratings)');
    expect(weather).toContain('<dt>Downloads</dt><dd>1</dd>');
    expect(weather).toContain(
      `npx @agentplug/cli install com.example.weather --marketplace ${fixture.server.url} --trusted-key ${fixture.keys.publicKey}`,
    );
    const mathlib = (await page('/plugins/com.example.mathlib/')).text;
    expect(mathlib).toMatch(
      /<tr class="is-yanked">\s*<td>1\.4\.0<\/td>[\s\S]*?<span class="yanked">Yanked<\/span>/,
    );
    const widening = (await page(`/plugins/${WIDENING_ID}/`)).text;
    expect(widening).toContain('<span class="widened">Widened in 1.1.0</span> compared with 1.0.0');
    expect(widening).toContain('network upload.example.com; environment UPLOAD_TOKEN');
    const calculator = (await page('/plugins/com.example.calculator/')).text;
    expect(calculator).toContain('<a href="../../plugins/com.example.mathlib/">com.example.mathlib</a>');
  });

  it('escapes every piece of the hostile plugin and renders its README without markup', async () => {
    const hostile = (await page(`/plugins/${HOSTILE_ID}/`)).text;
    const main = hostile.slice(hostile.indexOf('<main'), hostile.indexOf('</main>'));
    expect(main).not.toMatch(/<(script|img|iframe|meta|style|link|b|i)[\s>]/i);
    // Every < of the plugin's text is escaped, so any tag here is ours: none carries a handler.
    expect(main).not.toMatch(/<[^>]*\son\w+=/i);
    expect(main).not.toContain('javascript:');
    expect(main).toContain('&lt;script&gt;window.__pwned = 1&lt;/script&gt;');
    expect(main).toContain('\u241B[31mred\u241B[0m \u241B]0;retitled\u2407');
    expect(main).not.toContain('\u001b');
    expect(main).not.toContain('\u202E');
    const home = (await page('/?q=markup')).text;
    expect(home).toContain('&lt;img src=x onerror=&quot;window.__pwned=1&quot;&gt;Markup Plugin');
    expect(beacon.count()).toBe(0);
  });

  it('serves publisher and trust pages, redirects to the canonical path, and 404s as HTML', async () => {
    const plugin = (await page('/plugins/com.example.hello/')).text;
    const publisherPath = /href="\.\.\/\.\.\/(publishers\/[^"]+\/)"/.exec(plugin)?.[1];
    expect(publisherPath).toMatch(/^publishers\/agentplug-examples-[0-9a-f]{8}\/$/);
    const publisher = (await page(`/${publisherPath}`)).text;
    expect(publisher).toContain('<h1>agentplug examples</h1>');
    expect(resultNames(publisher)).toContain('Hello World Plugin');
    const trust = (await page('/trust/')).text;
    expect(trust).toContain(fixture.keys.publicKey);
    expect(trust).toContain(fixture.keys.keyId);
    const redirect = await page('/plugins/com.example.hello?x=1');
    expect(redirect.status).toBe(308);
    expect(redirect.headers.get('location')).toBe('/plugins/com.example.hello/?x=1');
    for (const path of [
      '/plugins/com.example.none/',
      '/plugins/..%2F..%2Fetc/',
      '/publishers/nobody-00000000/',
    ]) {
      const missing = await page(path);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(missing.text).toContain('<h1>Not found</h1>');
    }
    const malformed = await page('/plugins/%E0%A4%A/');
    expect(malformed.status).toBe(400);
  });

  it('serves its stylesheet and script from its own origin', async () => {
    const style = await page('/assets/catalog.css');
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(style.text).toContain('prefers-color-scheme: dark');
    const script = await page('/assets/catalog.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.text).not.toContain('innerHTML');
  });
});
