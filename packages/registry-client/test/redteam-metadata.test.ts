// Attacks on the install path from a marketplace impersonator that holds no key: redirects to other
// hosts and schemes, other spellings of a signed document, and signed entries spelled unusually by
// the key holder. Each against a real HTTP server, checking the exact code and that the plugin
// directory is as it was.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatArchiveName, TIMESTAMP_PATH } from '../src/protocol/index';
import { startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder } from './helpers/plugin-fixtures';
import {
  catalogOf,
  createSignedMarketplace,
  openRegistry,
  type PublishedPlugin,
  publishPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

const PLUGIN = 'com.example.target';

let server: TestServer;
let elsewhere: TestServer;
let marketplace: SignedMarketplace;
let published: PublishedPlugin;

beforeAll(async () => {
  server = await startTestServer(() => false);
  // Where a redirect points: it must never be asked for anything.
  elsewhere = await startTestServer(() => false);
  marketplace = createSignedMarketplace(server);
  published = await publishPlugin(await createTemporaryFolder(), { plugin_id: PLUGIN, version: '1.0.0' });
});

afterAll(async () => {
  await server.close();
  await elsewhere.close();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

/** A fresh plugin directory with an empty lock file, and what it holds. */
async function freshRoot(): Promise<{ root: string; before: Record<string, string> }> {
  const root = await createTemporaryFolder();
  await mkdir(join(root, 'plugins'));
  await writeFile(join(root, 'plugins', 'agentplug-lock.json'), '{"lockfile_version":1,"plugins":{}}\n');
  return { root, before: await snapshotFolder(join(root, 'plugins')) };
}

/**
 * Serves the marketplace with requests `matches` accepts answered by a redirect to `location`,
 * then proves the install is NETWORK_ERROR, the target was never asked, and nothing was installed.
 */
async function expectRedirectRefused(
  matches: (url: string) => boolean,
  status: number,
  location: string,
): Promise<void> {
  marketplace.serve(catalogOf([published]), [published], {
    extra: (request, response) => {
      if (request.url === undefined || !matches(request.url)) return false;
      response.writeHead(status, { location });
      response.end();
      return true;
    },
  });
  const { root, before } = await freshRoot();
  const registry = openRegistry(root, server, marketplace);
  const seenElsewhere = elsewhere.requests.length;
  expect(await codeOf(registry.install(PLUGIN, { validate: false }))).toBe('NETWORK_ERROR');
  expect(elsewhere.requests.length).toBe(seenElsewhere);
  expect(await snapshotFolder(join(root, 'plugins'))).toEqual(before);
  await registry.close();
}

describe('red team: redirects from the marketplace', () => {
  it.each([
    ['another host', () => new URL(`archives/${formatArchiveName(PLUGIN, '1.0.0')}`, elsewhere.url).href],
    ['a file: URL', () => 'file:///etc/passwd'],
    ['a data: URL', () => 'data:application/gzip;base64,H4sIAAAAAAAAAwMAAAAAAAAAAAA='],
    [
      'the same host, another path',
      () => new URL(`archives/${formatArchiveName(PLUGIN, '1.0.0')}?again`, server.url).href,
    ],
  ])(
    'an archive answered with a redirect to %s is NETWORK_ERROR and nothing is installed',
    async (_label, target) => {
      await expectRedirectRefused(
        (url) => url.startsWith('/archives/') && !url.includes('?again'),
        302,
        target(),
      );
    },
  );

  it('a timestamp answered with a redirect is NETWORK_ERROR, and nothing is fetched from the target', async () => {
    await expectRedirectRefused(
      (url) => url === `/${TIMESTAMP_PATH}`,
      307,
      new URL(TIMESTAMP_PATH, elsewhere.url).href,
    );
  });
});

describe('red team: other spellings of a signed timestamp', () => {
  /** The honest timestamp's text, freshly signed. */
  function honestTimestamp(): string {
    marketplace.serve(catalogOf([published]), [published]);
    return Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString();
  }

  it('a duplicate member placed before the signed one changes nothing: the client reads what was signed', async () => {
    const text = honestTimestamp();
    const signed = JSON.parse(text).signed as { version: number; snapshot: { version: number } };
    // A parser that kept the first member would see version 999 and another snapshot.
    const spelled = text.replace(
      '"signed":{',
      `"signed":{"snapshot":{"length":1,"sha256":"${'0'.repeat(64)}","version":999},"version":999,`,
    );
    expect(spelled).not.toBe(text);
    marketplace.files.set(TIMESTAMP_PATH, Buffer.from(spelled));
    const { root } = await freshRoot();
    const registry = openRegistry(root, server, marketplace);
    expect(await codeOf(registry.install(PLUGIN, { validate: false }))).toBe('resolved');
    expect(await readdir(join(root, 'plugins'))).toContain(PLUGIN);
    await registry.close();
    expect(signed.version).toBeLessThan(999);
  });

  it('numbers and strings spelled otherwise (1.0, 1e0, escapes) verify only when they mean what was signed', async () => {
    const text = honestTimestamp();
    const signed = JSON.parse(text).signed as { version: number };
    const same = text
      .replace(`"version":${signed.version}}}`, `"version":${signed.version}.0}}`)
      .replace('"agentplug-timestamp"', '"agentplug-\\u0074imestamp"');
    expect(same).toContain(`"version":${signed.version}.0}}`);
    marketplace.files.set(TIMESTAMP_PATH, Buffer.from(same));
    const first = await freshRoot();
    const registry = openRegistry(first.root, server, marketplace);
    expect(await codeOf(registry.install(PLUGIN, { validate: false }))).toBe('resolved');
    await registry.close();
    // A different meaning, however close its spelling, does not verify.
    for (const changed of [
      text.replace(`"version":${signed.version}}}`, `"version":${signed.version}.5}}`),
      text.replace('"agentplug-timestamp"', '"agentplug-timestamp\\u0000"'),
      text.replace('"agentplug-timestamp"', '"agentplug-\u0074\u0131mestamp"'),
    ]) {
      expect(changed).not.toBe(text);
      marketplace.files.set(TIMESTAMP_PATH, Buffer.from(changed));
      const { root, before } = await freshRoot();
      const refused = openRegistry(root, server, marketplace);
      expect(await codeOf(refused.install(PLUGIN, { validate: false }))).toBe('SIGNATURE_INVALID');
      expect(await snapshotFolder(join(root, 'plugins'))).toEqual(before);
      await refused.close();
    }
  });
});

describe('red team: entries the key holder spelled unusually', () => {
  it.each([
    ['an upper-case sha256', (sha256: string) => sha256.toUpperCase()],
    ['a base64 sha256', (sha256: string) => Buffer.from(sha256, 'hex').toString('base64')],
    ['a sha256 with a "sha256:" prefix', (sha256: string) => `sha256:${sha256}`],
  ])('refuses %s with INDEX_INVALID before any download', async (_label, spell) => {
    const entry = { ...published.entry, sha256: spell(published.entry.sha256) };
    const catalog = catalogOf([{ ...published, entry }]);
    marketplace.serve(catalog, [published]);
    const { root, before } = await freshRoot();
    const registry = openRegistry(root, server, marketplace);
    const downloads = server.requests.filter((path) => path.startsWith('/archives/')).length;
    expect(await codeOf(registry.install(PLUGIN, { validate: false }))).toBe('INDEX_INVALID');
    expect(server.requests.filter((path) => path.startsWith('/archives/')).length).toBe(downloads);
    expect(await snapshotFolder(join(root, 'plugins'))).toEqual(before);
    await registry.close();
  });
});
