import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalizeJson,
  formatSnapshotPath,
  formatTreeNodePath,
  type IndexPluginEntry,
  type SnapshotBody,
  serializeMetadata,
  signMetadata,
  TIMESTAMP_PATH,
  type TimestampBody,
} from '../src/protocol/index';
import { sendBytes, startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder } from './helpers/plugin-fixtures';
import {
  catalogOf,
  createSignedMarketplace,
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

/** Signs the honest catalog and returns its timestamp's canonical text. */
function honestTimestamp(): string {
  marketplace.serve(catalogOf([honest]), [honest, evil]);
  return Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString();
}

/** `text` with `insertion` spliced in right after the first occurrence of `anchor`. */
function splice(text: string, anchor: string, insertion: string): string {
  const at = text.indexOf(anchor);
  if (at === -1) throw new Error(`no ${anchor} in ${text.slice(0, 80)}`);
  return `${text.slice(0, at + anchor.length)}${insertion}${text.slice(at + anchor.length)}`;
}

/**
 * Serves `timestamp` (the one metadata file no hash pins: only its signature vouches for it) over
 * the signed catalog, runs `attack` on a fresh plugin directory and cache, and checks it is refused
 * with `code`, leaving everything as it was.
 */
async function expectRefused(
  timestamp: string,
  attack: (registry: ReturnType<typeof openRegistry>) => Promise<unknown>,
  code: string,
) {
  const root = await createTemporaryFolder();
  await mkdir(join(root, 'plugins'));
  await writeFile(join(root, 'plugins', 'agentplug-lock.json'), '{"lockfile_version":1,"plugins":{}}\n');
  const before = await snapshotFolder(join(root, 'plugins'));
  marketplace.files.set(TIMESTAMP_PATH, Buffer.from(timestamp));
  const registry = openRegistry(root, server, marketplace);
  expect(await codeOf(attack(registry))).toBe(code);
  expect(await snapshotFolder(join(root, 'plugins'))).toEqual(before);
  await registry.close();
}

/** What the key holder's current snapshot says. */
function currentSnapshot(): SnapshotBody {
  const timestamp = JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString())
    .signed as TimestampBody;
  return JSON.parse(
    Buffer.from(
      marketplace.files.get(formatSnapshotPath(timestamp.snapshot.version)) as Uint8Array,
    ).toString(),
  ).signed as SnapshotBody;
}

/** The key holder signs a snapshot (and a timestamp pinning it) whose tree is the one node `node`. */
function signTreeRoot(node: unknown): void {
  const nodeBytes = Buffer.from(canonicalizeJson(node));
  const sha256 = createHash('sha256').update(nodeBytes).digest('hex');
  marketplace.files.set(formatTreeNodePath(sha256), nodeBytes);
  const previous = currentSnapshot();
  const snapshot: SnapshotBody = {
    ...previous,
    version: previous.version + 1,
    tree: { sha256, length: nodeBytes.byteLength },
  };
  const snapshotBytes = serializeMetadata(signMetadata(snapshot, [marketplace.keys]));
  marketplace.files.set(formatSnapshotPath(snapshot.version), snapshotBytes);
  const timestamp = JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString())
    .signed as TimestampBody;
  const next: TimestampBody = {
    ...timestamp,
    version: timestamp.version + 1,
    snapshot: {
      version: snapshot.version,
      sha256: createHash('sha256').update(snapshotBytes).digest('hex'),
      length: snapshotBytes.byteLength,
    },
  };
  marketplace.files.set(TIMESTAMP_PATH, serializeMetadata(signMetadata(next, [marketplace.keys])));
}

describe('"__proto__", "constructor" and "prototype" in v2 metadata', () => {
  it('an unsigned "__proto__" member smuggled into the timestamp does not verify (in signed, nested, escaped)', async () => {
    const smuggled = `"__proto__":{"snapshot":{"version":1,"sha256":"${'0'.repeat(64)}","length":10}},`;
    const texts = [
      splice(honestTimestamp(), '"signed":{', smuggled),
      splice(honestTimestamp(), '"signed":{', smuggled.replace('"__proto__"', '"\\u005f_proto__"')),
      splice(honestTimestamp(), '"snapshot":{', `"__proto__":{"version":999},`),
      splice(honestTimestamp(), '"signed":{', `"__proto__":{"plugins":{"${EVIL}":{"version":"9.9.9"}}},`),
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

  it('a "__proto__" version smuggled into a targets file is stopped by the hash the tree pins', async () => {
    const text = honestTimestamp();
    const path = `v2/targets/${HONEST}/${marketplace.repository.targetsVersion(HONEST)}.json`;
    const targets = Buffer.from(marketplace.files.get(path) as Uint8Array).toString();
    const smuggled = splice(targets, '"versions":{', `"__proto__":${JSON.stringify(evil.entry)},`);
    marketplace.files.set(path, Buffer.from(smuggled));
    await expectRefused(
      text,
      (registry) => registry.downloadPlugin(HONEST, { version: '9.9.9', validate: false }),
      // Longer than pinned: the read stops at the signed length.
      'TOO_LARGE',
    );
    marketplace.files.set(path, Buffer.from(smuggled.slice(0, targets.length)));
    await expectRefused(
      text,
      (registry) => registry.downloadPlugin(HONEST, { version: '9.9.9', validate: false }),
      'INTEGRITY_MISMATCH',
    );
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
      const text = splice(honestTimestamp(), '"signed":{', `"${key}":{"version":99},`);
      await expectRefused(text, (registry) => registry.searchMarketplace({}), 'SIGNATURE_INVALID');
    }
  });

  it('names that are not plugin ids or versions are refused with INDEX_INVALID even when the key holder signed them', async () => {
    const honestEntry = catalogOf([honest])[HONEST] as IndexPluginEntry;
    for (const key of ['__proto__', 'constructor', '1.0', 'v1.0.0', '1.0.0/../../x', '01.0.0', '']) {
      const versions = Object.create(null) as Record<string, unknown>;
      versions['1.0.0'] = honest.entry;
      versions[key] = { ...honest.entry, version: key };
      marketplace.serve({ [HONEST]: { ...honestEntry, versions } as IndexPluginEntry }, [honest]);
      await expectRefused(
        Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString(),
        (registry) => registry.getPluginInfo(HONEST),
        'INDEX_INVALID',
      );
    }
    for (const key of [
      '__proto__',
      'constructor',
      'toString',
      '../../x',
      'com.example/../../x',
      'COM.EXAMPLE.A',
      'single',
      '',
      'com.example.a ',
    ]) {
      const plugins = Object.create(null) as Record<string, unknown>;
      plugins[HONEST] = { version: 1, sha256: '0'.repeat(64), length: 10 };
      plugins[key] = { version: 1, sha256: '0'.repeat(64), length: 10 };
      honestTimestamp();
      signTreeRoot({ _type: 'agentplug-tree', depth: 0, plugins });
      await expectRefused(
        Buffer.from(marketplace.files.get(TIMESTAMP_PATH) as Uint8Array).toString(),
        (registry) => registry.getPluginInfo(HONEST),
        'INDEX_INVALID',
      );
    }
  });

  it('an envelope member beside "signed" is ignored, and lookups of inherited names find nothing', async () => {
    const text = splice(honestTimestamp(), '{', `"__proto__":{"signed":{"version":999}},`);
    const root = await createTemporaryFolder();
    marketplace.files.set(TIMESTAMP_PATH, Buffer.from(text));
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
    expect(({} as Record<string, unknown>).signed).toBeUndefined();
    await registry.close();
  });
});

describe('hostile JSON shapes', () => {
  it('refuses a deeply nested timestamp with SIGNATURE_INVALID, within its size cap', async () => {
    const depth = 8_000;
    await expectRefused(
      '['.repeat(depth) + ']'.repeat(depth),
      (registry) => registry.searchMarketplace({}),
      'SIGNATURE_INVALID',
    );
    const nested = `${'{"a":'.repeat(2_000)}0${'}'.repeat(2_000)}`;
    await expectRefused(
      splice(honestTimestamp(), '"signed":{', `"extra":${nested},`),
      (registry) => registry.searchMarketplace({}),
      'SIGNATURE_INVALID',
    );
  });

  it('refuses a timestamp that is not UTF-8, not JSON or not an object with SIGNATURE_INVALID', async () => {
    for (const text of [
      '<html>oops</html>',
      '',
      'null',
      '[]',
      '"timestamp"',
      '{"signed":[],"signatures":[]}',
      '\xff\xfe{}',
    ]) {
      honestTimestamp();
      await expectRefused(text, (registry) => registry.searchMarketplace({}), 'SIGNATURE_INVALID');
    }
  });

  it('ignores search answers naming ids the signed metadata does not hold, inherited names included', async () => {
    const searching = createSignedMarketplace(server, { searchEndpoint: 'api/v1/search' });
    const answers = [
      `{"results":[{"plugin_id":"__proto__"},{"plugin_id":"constructor"},{"plugin_id":"${EVIL}"},{"plugin_id":"${HONEST}","downloads":7}]}`,
      `{"__proto__":{"results":[{"plugin_id":"${EVIL}"}]},"results":[{"plugin_id":"${HONEST}"}]}`,
    ];
    for (const answer of answers) {
      const root = await createTemporaryFolder();
      searching.serve(catalogOf([honest]), [honest, evil], {
        extra: (request, response) =>
          request.url?.startsWith('/api/v1/search') === true
            ? sendBytes(response, answer, 'application/json')
            : false,
      });
      const registry = openRegistry(root, server, searching);
      expect((await registry.searchMarketplace({})).map((plugin) => plugin.plugin_id)).toEqual([HONEST]);
      await registry.close();
    }
  });

  it('ignores search-file entries that are not well-formed or not in the signed metadata', async () => {
    honestTimestamp();
    const hostile = {
      _type: 'agentplug-search',
      plugins: [
        { plugin_id: '__proto__', name: 'x', description: '', plugin_type: 'tool', tags: [], author: 'x' },
        { plugin_id: EVIL, name: 'evil', description: '', plugin_type: 'tool', tags: [], author: 'x' },
        { plugin_id: HONEST, name: 'honest', description: '', plugin_type: 'tool', tags: [], author: 'x' },
        { plugin_id: 'com.example.deep', name: JSON.parse(`${'['.repeat(60)}${']'.repeat(60)}`) },
      ],
    };
    marketplace.files.set('v2/search.json', Buffer.from(JSON.stringify(hostile)));
    const registry = openRegistry(await createTemporaryFolder(), server, marketplace);
    expect((await registry.searchMarketplace({})).map((plugin) => plugin.plugin_id)).toEqual([HONEST]);
    marketplace.files.set('v2/search.json', Buffer.from('['.repeat(100_000)));
    expect(await codeOf(registry.searchMarketplace({}))).toBe('INDEX_INVALID');
    await registry.close();
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

  it('refuses a last-seen versions record it cannot trust with ROLLBACK_DETECTED, keeping it', async () => {
    honestTimestamp();
    for (const record of [
      '{"timestamp":{"__proto__":{}}}',
      '{"timestamp":{"version":"1","snapshotVersion":1,"sha256":"x"}}',
      '{"targets":{"com.example.honest":-1}}',
      '['.repeat(100_000),
      'nope',
    ]) {
      const root = await createTemporaryFolder();
      const first = openRegistry(root, server, marketplace);
      await first.getPluginInfo(HONEST);
      await first.close();
      const [folder] = await readdir(join(root, 'cache', 'metadata-v2'));
      const path = join(root, 'cache', 'metadata-v2', folder as string, 'state.json');
      await writeFile(path, record);
      const registry = openRegistry(root, server, marketplace);
      expect(await codeOf(registry.getPluginInfo(HONEST))).toBe('ROLLBACK_DETECTED');
      expect(await readFile(path, 'utf8')).toBe(record);
      await registry.close();
    }
  });
});
