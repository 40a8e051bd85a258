import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeSignedIndex } from '../src/protocol/index';
import { sendBytes, startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder } from './helpers/plugin-fixtures';
import {
  createSignedMarketplace,
  indexBodyOf,
  openRegistry,
  type PublishedPlugin,
  publishPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

const HONEST = 'com.example.honest';
const EVIL = 'com.evil.payload';

let server: TestServer;
let marketplace: SignedMarketplace;
let honest: PublishedPlugin;
let evil: PublishedPlugin;

beforeAll(async () => {
  server = await startTestServer(() => false);
  marketplace = createSignedMarketplace(server);
  const root = await createTemporaryFolder();
  honest = await publishPlugin(root, { plugin_id: HONEST, version: '1.0.0' });
  evil = await publishPlugin(root, {
    plugin_id: EVIL,
    version: '9.9.9',
    permissions: { network_hosts: ['evil.example'] },
  });
});

afterAll(() => server.close());

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

/** The honest index, canonical text, with `insertion` spliced in right after `anchor`'s first occurrence. */
function spliced(anchor: string, insertion: string): string {
  const text = serializeSignedIndex(marketplace.sign(indexBodyOf([honest])) as never);
  const at = text.indexOf(anchor);
  if (at === -1) throw new Error(`no ${anchor} in the index`);
  return `${text.slice(0, at + anchor.length)}${insertion}${text.slice(at + anchor.length)}`;
}

/** A plugin entry whose own members also carry `extra`: what spread-copying parsers kept. */
function entryCarrying(pluginId: string, extra: Record<string, unknown>): string {
  const entry = { ...indexBodyOf([honest]).plugins[HONEST], plugin_id: pluginId, versions: {} };
  return JSON.stringify({ ...entry, ...extra });
}

/** Runs `attack` against a fresh plugin directory and checks it is refused with `code`, leaving everything as it was. */
async function expectRefused(
  indexText: string,
  attack: (registry: ReturnType<typeof openRegistry>) => Promise<unknown>,
  code: string,
) {
  const root = await createTemporaryFolder();
  await mkdir(join(root, 'plugins'));
  await writeFile(join(root, 'plugins', 'agentplug-lock.json'), '{"lockfile_version":1,"plugins":{}}\n');
  const before = await snapshotFolder(root);
  marketplace.serve(indexText, [honest, evil]);
  const registry = openRegistry(root, server, marketplace);
  expect(await codeOf(attack(registry))).toBe(code);
  expect(await snapshotFolder(root)).toEqual(before);
  await registry.close();
}

/** The entry of a plugin the key holder never signed. */
function evilEntry(): Record<string, unknown> {
  return { ...JSON.parse(entryCarrying(EVIL, {})), versions: { '9.9.9': evil.entry } };
}

describe('"__proto__", "constructor" and "prototype" in the index', () => {
  it('an unsigned "__proto__" member smuggling a plugin does not verify (plugins, versions, signed, with escapes)', async () => {
    const smuggledPlugin = `,"__proto__":${entryCarrying('__proto__', { [EVIL]: evilEntry() })}`;
    const versionsCarrier = {
      ...evil.entry,
      version: '__proto__',
      '9.9.9': { ...evil.entry, version: '9.9.9' },
    };
    const honestEntryEnd = '"versions":{"1.0.0":';
    const texts = [
      // after the honest plugin, so the keys are out of order and a copy by assignment would drop it
      spliced(`"plugins":{"${HONEST}":`, '').replace(
        /}},"protocol_version"/,
        `}${smuggledPlugin}},"protocol_version"`,
      ),
      spliced(`"plugins":{"${HONEST}":`, '').replace(
        /}},"protocol_version"/,
        `}${smuggledPlugin.replace('"__proto__"', '"\\u005f_proto__"')}},"protocol_version"`,
      ),
      spliced(honestEntryEnd, '').replace(
        '}}}},"protocol_version"',
        `},"__proto__":${JSON.stringify(versionsCarrier)}}}},"protocol_version"`,
      ),
      spliced('"version":1', `,"__proto__":{"plugins":{"${EVIL}":${JSON.stringify(evilEntry())}}}`),
    ];
    for (const text of texts) {
      expect(text).toContain('proto');
      await expectRefused(
        text,
        (registry) => registry.install(EVIL, { validate: false }),
        'SIGNATURE_INVALID',
      );
      await expectRefused(
        text,
        (registry) => registry.downloadPlugin(HONEST, { version: '9.9.9', validate: false }),
        'SIGNATURE_INVALID',
      );
    }
  });

  it('unsigned "constructor", "prototype" and look-alike members do not verify either', async () => {
    for (const key of [
      'constructor',
      'prototype',
      '__PROTO__',
      'toString',
      'hasOwnProperty',
      '__defineGetter__',
    ]) {
      const text = spliced(`"plugins":{`, `"${key}":${entryCarrying(key, {})},`);
      await expectRefused(text, (registry) => registry.searchMarketplace({}), 'SIGNATURE_INVALID');
    }
  });

  it('names that are not plugin ids or versions are refused with INDEX_INVALID even when the key holder signed them', async () => {
    const body = indexBodyOf([honest]);
    const honestEntry = body.plugins[HONEST] as never as Record<string, unknown>;
    const pluginKeys = [
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      '../../x',
      'com.example/../../x',
      'COM.EXAMPLE.A',
      'single',
      '',
      'com.example.a ',
    ];
    for (const key of pluginKeys) {
      const plugins = Object.create(null) as Record<string, unknown>;
      plugins[HONEST] = honestEntry;
      plugins[key] = { ...honestEntry, plugin_id: key };
      await expectRefused(
        JSON.stringify(marketplace.sign({ ...body, plugins })),
        (registry) => registry.searchMarketplace({}),
        'INDEX_INVALID',
      );
    }
    for (const key of ['__proto__', 'constructor', '1.0', 'v1.0.0', '1.0.0/../../x', '01.0.0', '']) {
      const versions = Object.create(null) as Record<string, unknown>;
      versions['1.0.0'] = honest.entry;
      versions[key] = { ...honest.entry, version: key };
      await expectRefused(
        JSON.stringify(marketplace.sign({ ...body, plugins: { [HONEST]: { ...honestEntry, versions } } })),
        (registry) => registry.getPluginInfo(HONEST),
        'INDEX_INVALID',
      );
    }
  });

  it('an envelope member beside "signed" is ignored, and lookups of inherited names find nothing', async () => {
    const text = spliced(
      '{',
      `"__proto__":{"signed":{"plugins":{"${EVIL}":${JSON.stringify(evilEntry())}}}},`,
    );
    const root = await createTemporaryFolder();
    marketplace.serve(text, [honest, evil]);
    const registry = openRegistry(root, server, marketplace);
    expect((await registry.searchMarketplace({})).map((plugin) => plugin.plugin_id)).toEqual([HONEST]);
    expect(await codeOf(registry.install(EVIL))).toBe('NOT_FOUND');
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      expect(await codeOf(registry.install(name))).toBe('INVALID_ARGUMENT');
      expect(await codeOf(registry.downloadPlugin(HONEST, { version: name, validate: false }))).toBe(
        'NOT_FOUND',
      );
    }
    expect(await readdir(root)).toEqual(['cache']);
    await registry.close();
  });
});

describe('hostile JSON shapes', () => {
  it('refuses a 200,000-level nested index with SIGNATURE_INVALID, within the size cap', async () => {
    const depth = 200_000;
    await expectRefused(
      '['.repeat(depth) + ']'.repeat(depth),
      (registry) => registry.searchMarketplace({}),
      'SIGNATURE_INVALID',
    );
    const nested = '{"a":'.repeat(depth) + '0' + '}'.repeat(depth);
    await expectRefused(
      spliced('"version":1', `,"extra":${nested}`),
      (registry) => registry.searchMarketplace({}),
      'SIGNATURE_INVALID',
    );
  });

  it('refuses an index that is not UTF-8, not JSON or not an object with SIGNATURE_INVALID', async () => {
    for (const text of ['<html>oops</html>', '', 'null', '[]', '"index"', '{"signed":[],"signatures":[]}']) {
      await expectRefused(text, (registry) => registry.searchMarketplace({}), 'SIGNATURE_INVALID');
    }
  });

  it('ignores search answers naming ids the signed index does not list, inherited names included', async () => {
    const body = { ...indexBodyOf([honest]), search_endpoint: 'api/v1/search' };
    const answers = [
      `{"results":[{"plugin_id":"__proto__"},{"plugin_id":"constructor"},{"plugin_id":"${EVIL}"},{"plugin_id":"${HONEST}","downloads":7}]}`,
      `{"__proto__":{"results":[{"plugin_id":"${EVIL}"}]}}`,
      '['.repeat(100_000),
    ];
    for (const answer of answers) {
      const root = await createTemporaryFolder();
      marketplace.serve(marketplace.sign(body), [honest], (request, response) =>
        request.url?.startsWith('/api/v1/search') === true
          ? sendBytes(response, answer, 'application/json')
          : false,
      );
      const registry = openRegistry(root, server, marketplace);
      expect((await registry.searchMarketplace({})).map((plugin) => plugin.plugin_id)).toEqual([HONEST]);
      await registry.close();
    }
  });
});

describe('local JSON files', () => {
  it('refuses a lock file with inherited names, bad ids or deep nesting with INSTALL_FAILED, changing nothing', async () => {
    const documents = [
      '{"lockfile_version":1,"plugins":{"__proto__":{"version":"1.0.0"}}}',
      '{"lockfile_version":1,"plugins":{"constructor":{"version":"1.0.0","sha256":"' +
        'a'.repeat(64) +
        '","source":"x","permissions":{},"installed_at":"x"}}}',
      '{"lockfile_version":1,"plugins":{"../../etc":{"version":"1.0.0","sha256":"' +
        'a'.repeat(64) +
        '","source":"x","permissions":{},"installed_at":"x"}}}',
      '{"lockfile_version":1,"plugins":{"com.example.a":{"version":"../../x","sha256":"' +
        'a'.repeat(64) +
        '","source":"x","permissions":{},"installed_at":"x"}}}',
      `{"lockfile_version":1,"plugins":${'['.repeat(100_000)}}`,
      '{"__proto__":{"lockfile_version":1,"plugins":{}}}',
    ];
    for (const document of documents) {
      const root = await createTemporaryFolder();
      await mkdir(join(root, 'plugins'));
      await writeFile(join(root, 'plugins', 'agentplug-lock.json'), document);
      const before = await snapshotFolder(root);
      const registry = openRegistry(root, server, marketplace);
      expect(await codeOf(registry.readLockFile())).toBe('INSTALL_FAILED');
      expect(await codeOf(registry.listInstalledPlugins())).toBe('INSTALL_FAILED');
      expect(await snapshotFolder(root)).toEqual(before);
    }
  });

  it('refuses a last-seen index record it cannot trust with ROLLBACK_DETECTED, keeping it', async () => {
    marketplace.serve(marketplace.sign(indexBodyOf([honest])), [honest]);
    for (const record of [
      '{"__proto__":{}}',
      `{"${server.url}":{"version":"1","sha256":"x"}}`,
      '['.repeat(100_000),
      'nope',
    ]) {
      const root = await createTemporaryFolder();
      await mkdir(join(root, 'cache'));
      await writeFile(join(root, 'cache', 'index-state.json'), record);
      const registry = openRegistry(root, server, marketplace);
      expect(await codeOf(registry.searchMarketplace({}))).toBe('ROLLBACK_DETECTED');
      expect((await snapshotFolder(join(root, 'cache')))['index-state.json']).toBe(
        Buffer.from(record).toString('base64'),
      );
    }
  });
});
