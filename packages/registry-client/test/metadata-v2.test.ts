import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginErrorCode } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { type NetworkOptions, TrustedMetadata } from '../src/index';
import {
  formatSnapshotPath,
  formatTargetsPath,
  generateSigningKeyPair,
  MetadataRepository,
  serializeMetadata,
  signMetadata,
  TIMESTAMP_PATH,
} from '../src/protocol/index';
import { sendEndlessBody } from './helpers/hostile-server';
import {
  attackerWithTargets,
  createMarketplaceKeys,
  type MetadataMarketplace,
  testNetwork as network,
  signRoot,
  startMetadataMarketplace,
  targetsContent,
} from './helpers/metadata-marketplace';
import { createTemporaryFolder } from './helpers/plugin-fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  ...parameters: Parameters<typeof startMetadataMarketplace>
): Promise<MetadataMarketplace> {
  const marketplace = await startMetadataMarketplace(...parameters);
  cleanups.push(() => marketplace.close());
  return marketplace;
}

async function cacheFolder(): Promise<string> {
  const folder = await createTemporaryFolder('agentplug-metadata-');
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

function connect(
  marketplace: MetadataMarketplace,
  cacheDirectory: string,
  options: { now?: () => Date; network?: Partial<NetworkOptions>; trustedRoot?: Uint8Array } = {},
): TrustedMetadata {
  return new TrustedMetadata({
    marketplaceUrl: marketplace.url,
    trustedRoot: options.trustedRoot ?? (marketplace.files.get('v2/root/1.json') as Uint8Array),
    network: { ...network, ...options.network },
    cacheDirectory,
    now: options.now,
  });
}

async function codeOf(promise: Promise<unknown>): Promise<PluginErrorCode | 'resolved'> {
  return promise.then(
    () => 'resolved' as const,
    (error: unknown) => {
      if (PluginError.is(error)) return error.code;
      throw error;
    },
  );
}

const PLUGINS = {
  'com.example.app': ['1.0.0', '1.1.0'],
  'com.example.math': ['1.0.0'],
  'com.example.text': ['1.0.0', '2.0.0'],
};

describe('protocol v2: a client fetches only what it needs and verifies all of it', () => {
  it('reads three plugins of a catalog through root, timestamp, snapshot and one tree path each', async () => {
    const catalog: Record<string, string[]> = { ...PLUGINS };
    for (let index = 0; index < 2000; index += 1) catalog[`com.filler.plugin${index}`] = ['1.0.0'];
    const marketplace = await start(catalog);
    const client = connect(marketplace, await cacheFolder());
    const app = await client.getTargets('com.example.app');
    expect(Object.keys(app?.versions ?? {})).toEqual(['1.0.0', '1.1.0']);
    expect((await client.getTargets('com.example.math'))?.plugin_id).toBe('com.example.math');
    expect((await client.getTargets('com.example.text'))?.versions['2.0.0']?.version).toBe('2.0.0');
    expect(await client.getTargets('com.example.absent')).toBeUndefined();
    // The whole catalog's metadata is many times this; a cold read of three plugins stays small.
    const catalogBytes = [...marketplace.files.values()].reduce(
      (total, bytes) => total + bytes.byteLength,
      0,
    );
    expect(client.traffic.bytes).toBeLessThan(100 * 1024);
    expect(client.traffic.bytes * 5).toBeLessThan(catalogBytes);
    expect(client.current?.snapshot.plugin_count).toBe(2003);
  });

  it('refreshes an unchanged marketplace with one conditional request answered 304', async () => {
    const marketplace = await start(PLUGINS);
    const client = connect(marketplace, await cacheFolder());
    await client.getTargets('com.example.app');
    const before = { ...client.traffic };
    const requestsBefore = marketplace.server.requests.length;
    await client.refresh();
    expect(client.traffic.requests - before.requests).toBe(2); // the next root (404) and the timestamp
    expect(client.traffic.notModified - before.notModified).toBe(1);
    expect(client.traffic.bytes).toBe(before.bytes);
    expect(marketplace.server.requests.slice(requestsBefore)).toEqual([
      '/v2/root/2.json',
      `/${TIMESTAMP_PATH}`,
    ]);
  });

  it('after one plugin changes, fetches the new timestamp, snapshot and one tree path, not the catalog', async () => {
    const catalog: Record<string, string[]> = { ...PLUGINS };
    for (let index = 0; index < 2000; index += 1) catalog[`com.filler.plugin${index}`] = ['1.0.0'];
    const marketplace = await start(catalog);
    const client = connect(marketplace, await cacheFolder());
    await client.getTargets('com.example.app');
    const before = client.traffic.bytes;
    marketplace.repository.putTargets(
      'com.example.app',
      targetsContent('com.example.app', ['1.0.0', '1.1.0', '1.2.0']),
    );
    const changed = marketplace.repository.commit();
    marketplace.store(changed);
    await client.refresh();
    expect(Object.keys((await client.getTargets('com.example.app'))?.versions ?? {})).toContain('1.2.0');
    const changedBytes = changed.reduce((total, file) => total + file.bytes.byteLength, 0);
    expect(client.traffic.bytes - before).toBeLessThanOrEqual(changedBytes);
  });
});

describe('protocol v2: every attack on the metadata is refused', () => {
  it('rollback: an older timestamp, or other content under a seen version, is refused, also by a fresh process', async () => {
    const marketplace = await start(PLUGINS);
    const oldTimestamp = marketplace.files.get(TIMESTAMP_PATH) as Uint8Array;
    const cache = await cacheFolder();
    await connect(marketplace, cache).refresh();
    marketplace.store(marketplace.repository.renew());
    await connect(marketplace, cache).refresh();
    marketplace.files.set(TIMESTAMP_PATH, oldTimestamp);
    // A new client over the same cache: what was seen is on disk, not only in memory.
    expect(await codeOf(connect(marketplace, cache).refresh())).toBe('ROLLBACK_DETECTED');
    // Same version, other bytes (equivocation): re-signed with another expiry.
    const current = JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) ?? []).toString()) as {
      signed: { version: number; expires: string };
    };
    marketplace.store(marketplace.repository.renew());
    const latest = JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) ?? []).toString()) as {
      signed: Record<string, unknown>;
    };
    await connect(marketplace, cache).refresh();
    const forked = signMetadata(
      { ...latest.signed, expires: new Date(Date.now() + 60_000).toISOString() },
      marketplace.keys.timestamp,
    );
    marketplace.files.set(TIMESTAMP_PATH, serializeMetadata(forked));
    expect(current.signed.version).toBeGreaterThan(0);
    expect(await codeOf(connect(marketplace, cache).refresh())).toBe('ROLLBACK_DETECTED');
  });

  it('rollback of one plugin: a snapshot that pins an older targets file of a seen plugin is refused', async () => {
    const marketplace = await start(PLUGINS);
    const cache = await cacheFolder();
    const client = connect(marketplace, cache);
    const oldTargets = marketplace.files.get(formatTargetsPath('com.example.app', 1)) as Uint8Array;
    marketplace.repository.putTargets('com.example.app', targetsContent('com.example.app', ['1.0.0']));
    marketplace.store(marketplace.repository.commit());
    await client.getTargets('com.example.app');
    // A snapshot key holder re-pins targets version 1 (which still lists the newer versions) in a newer snapshot.
    const hostile = await attackerWithTargets(
      {
        files: marketplace.files,
        snapshot: marketplace.keys.snapshot,
        timestamp: marketplace.keys.timestamp,
      },
      'com.example.app',
      oldTargets,
    );
    marketplace.store(hostile);
    const second = connect(marketplace, cache);
    expect(await codeOf(second.getTargets('com.example.app'))).toBe('ROLLBACK_DETECTED');
  });

  it('freeze: an expired timestamp is refused, also when the server answers 304 for it', async () => {
    let clock = Date.now();
    const marketplace = await start(PLUGINS, { timestampMs: 60 * 60 * 1000 });
    const client = connect(marketplace, await cacheFolder(), { now: () => new Date(clock) });
    await client.refresh();
    clock += 2 * 60 * 60 * 1000;
    expect(await codeOf(client.refresh())).toBe('INDEX_EXPIRED');
    expect(client.traffic.notModified).toBe(1);
  });

  it('freeze of the trust anchors: an expired root is refused', async () => {
    const keys = createMarketplaceKeys();
    const marketplace = await start(PLUGINS, { keys });
    const client = connect(marketplace, await cacheFolder(), {
      now: () => new Date(Date.now() + 2 * 365 * 24 * 60 * 60 * 1000),
    });
    expect(await codeOf(client.refresh())).toBe('INDEX_EXPIRED');
  });

  it('mix-and-match: a snapshot, a tree node or a targets file other than the one pinned is refused', async () => {
    const marketplace = await start(PLUGINS);
    const firstSnapshot = marketplace.files.get(formatSnapshotPath(1)) as Uint8Array;
    marketplace.repository.putTargets(
      'com.example.math',
      targetsContent('com.example.math', ['1.0.0', '1.0.1']),
    );
    marketplace.store(marketplace.repository.commit());
    // The file of snapshot 2 now holds snapshot 1's bytes.
    const secondSnapshot = marketplace.files.get(formatSnapshotPath(2)) as Uint8Array;
    marketplace.files.set(formatSnapshotPath(2), firstSnapshot);
    expect(await codeOf(connect(marketplace, await cacheFolder()).refresh())).toBe('INTEGRITY_MISMATCH');
    marketplace.files.set(formatSnapshotPath(2), secondSnapshot);
    // The targets file of math version 2 holds version 1 (validly signed, but not the one pinned).
    const pinned = formatTargetsPath('com.example.math', 2);
    const current = marketplace.files.get(pinned) as Uint8Array;
    marketplace.files.set(
      pinned,
      marketplace.files.get(formatTargetsPath('com.example.math', 1)) as Uint8Array,
    );
    expect(await codeOf(connect(marketplace, await cacheFolder()).getTargets('com.example.math'))).toBe(
      'INTEGRITY_MISMATCH',
    );
    marketplace.files.set(pinned, current);
    // A tree node swapped for another (validly named) node.
    const nodes = [...marketplace.files.keys()].filter((path) => path.startsWith('v2/tree/'));
    const swapped = nodes.map((path) => marketplace.files.get(path) as Uint8Array);
    for (const [index, path] of nodes.entries()) {
      marketplace.files.set(path, swapped[(index + 1) % swapped.length] as Uint8Array);
    }
    expect(
      await codeOf(
        connect(marketplace, await cacheFolder())
          .refresh()
          .then((_) => undefined),
      ),
    ).toBe('resolved');
    expect(await codeOf(connect(marketplace, await cacheFolder()).getTargets('com.example.math'))).toBe(
      'INTEGRITY_MISMATCH',
    );
  });

  it('key compromise below the threshold: one of two root keys cannot rotate the root, one targets key of two cannot sign targets', async () => {
    const keys = createMarketplaceKeys();
    const marketplace = await start(PLUGINS, { keys });
    const thief = generateSigningKeyPair();
    const stolen = keys.root[0] as (typeof keys.root)[number];
    marketplace.store([
      signRoot(
        2,
        { ...keys, root: [stolen, thief], timestamp: [thief], snapshot: [thief], targets: [thief] },
        {
          signers: [stolen, thief],
        },
      ).file,
    ]);
    const client = connect(marketplace, await cacheFolder());
    expect(await codeOf(client.refresh())).toBe('SIGNATURE_INVALID');

    // Targets with threshold 2: a file signed by one of the two targets keys is refused.
    const twoTargets = { ...createMarketplaceKeys() };
    twoTargets.targets = [generateSigningKeyPair(), generateSigningKeyPair()];
    const strict = await start({}, { keys: twoTargets });
    strict.store([signRoot(2, twoTargets, { thresholds: { targets: 2 } }).file]);
    const oneKey = MetadataRepository.create({
      signers: {
        targets: [twoTargets.targets[0] as never],
        snapshot: twoTargets.snapshot,
        timestamp: twoTargets.timestamp,
      },
    });
    oneKey.putTargets('com.example.app', targetsContent('com.example.app', ['1.0.0']));
    strict.store(oneKey.commit());
    expect(await codeOf(connect(strict, await cacheFolder()).getTargets('com.example.app'))).toBe(
      'SIGNATURE_INVALID',
    );
  });

  it('rotation of root: the client walks the chain, trusts the new keys, and the retired keys can neither sign nor roll the root back', async () => {
    const keys = createMarketplaceKeys();
    const marketplace = await start(PLUGINS, { keys });
    const cache = await cacheFolder();
    await connect(marketplace, cache).getTargets('com.example.app');
    const retired = keys.root[0] as (typeof keys.root)[number];
    const newKeys = {
      ...keys,
      root: [keys.root[1], generateSigningKeyPair()] as typeof keys.root,
      timestamp: [generateSigningKeyPair()],
    };
    // Root 2: signed by both old root keys (threshold of root 1) and both new ones (its own threshold).
    marketplace.store([signRoot(2, newKeys, { signers: [...keys.root, ...newKeys.root] }).file]);
    const renewed = MetadataRepository.create({
      signers: { targets: keys.targets, snapshot: keys.snapshot, timestamp: newKeys.timestamp },
    });
    for (const [pluginId, versions] of Object.entries(PLUGINS))
      renewed.putTargets(pluginId, targetsContent(pluginId, versions));
    // The new timestamp key starts again at version 1: the rotation voids the old key's versions (fast-forward recovery).
    marketplace.store(renewed.commit());
    const client = connect(marketplace, cache);
    const view = await client.refresh();
    expect(view.root.body.version).toBe(2);
    expect(view.timestamp.version).toBe(1);
    expect(
      JSON.parse(await readFile(join(cache, 'metadata-v2', await listOne(cache), 'root.json'), 'utf8')).signed
        .version,
    ).toBe(2);

    // The retired root key (with a fresh accomplice) signs a root 3 that brings the old keys back.
    marketplace.store([signRoot(3, keys, { signers: [retired, ...keys.root] }).file]);
    expect(await codeOf(connect(marketplace, cache).refresh())).toBe('SIGNATURE_INVALID');
    marketplace.files.delete('v2/root/3.json');
    // A timestamp signed by the retired timestamp key is refused.
    const oldKeyTimestamp = signMetadata(
      {
        ...(JSON.parse(Buffer.from(marketplace.files.get(TIMESTAMP_PATH) ?? []).toString()).signed as object),
        version: 99,
      },
      keys.timestamp,
    );
    marketplace.files.set(TIMESTAMP_PATH, serializeMetadata(oldKeyTimestamp));
    expect(await codeOf(connect(marketplace, cache).refresh())).toBe('SIGNATURE_INVALID');
    // Serving root 1 again under the name of root 3 is refused too.
    marketplace.files.set('v2/root/3.json', marketplace.files.get('v2/root/1.json') as Uint8Array);
    expect(await codeOf(connect(marketplace, cache).refresh())).toBe('SIGNATURE_INVALID');
  });

  it('endless data: an endless timestamp, root or pinned file stops at its cap with TOO_LARGE', async () => {
    const marketplace = await start(PLUGINS);
    for (const target of [TIMESTAMP_PATH, 'v2/root/2.json', formatSnapshotPath(1)]) {
      marketplace.intercept = (path, _request, response) =>
        path === target ? sendEndlessBody(response, 'application/json', Buffer.alloc(64 * 1024, 32)) : false;
      expect(await codeOf(connect(marketplace, await cacheFolder()).refresh())).toBe('TOO_LARGE');
    }
  });

  it('slow retrieval: a timestamp trickled byte by byte ends at the deadline with TIMEOUT', async () => {
    const marketplace = await start(PLUGINS);
    const timers: NodeJS.Timeout[] = [];
    cleanups.push(async () => {
      for (const timer of timers) clearInterval(timer);
    });
    marketplace.intercept = (path, _request, response) => {
      if (path !== TIMESTAMP_PATH) return false;
      response.writeHead(200, { 'content-type': 'application/json' });
      timers.push(setInterval(() => response.write(' '), 200));
      return true;
    };
    const started = Date.now();
    const client = connect(marketplace, await cacheFolder(), {
      network: { stallTimeoutMs: 1_000, totalTimeoutMs: 2_500 },
    });
    expect(await codeOf(client.refresh())).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('__proto__ and constructor members neither verify nor reach Object.prototype', async () => {
    const marketplace = await start(PLUGINS);
    const timestamp = JSON.parse(
      Buffer.from(marketplace.files.get(TIMESTAMP_PATH) ?? []).toString(),
    ) as object;
    marketplace.files.set(TIMESTAMP_PATH, Buffer.from(`{"__proto__":${JSON.stringify(timestamp)}}`));
    expect(await codeOf(connect(marketplace, await cacheFolder()).refresh())).toBe('SIGNATURE_INVALID');
    marketplace.files.set(
      TIMESTAMP_PATH,
      Buffer.from(
        JSON.stringify(timestamp)
          .replace(
            '"signatures":[',
            '"signatures":[{"keyid":"constructor","sig":"AA=="},{"keyid":"__proto__","sig":"AA=="},',
          )
          .replace('"signed":{', '"signed":{"__proto__":{"version":1},'),
      ),
    );
    expect(await codeOf(connect(marketplace, await cacheFolder()).refresh())).toBe('SIGNATURE_INVALID');
    expect(({} as Record<string, unknown>).signed).toBeUndefined();
    expect(({} as Record<string, unknown>).version).toBeUndefined();
  });
});

async function listOne(cache: string): Promise<string> {
  const [first] = await readdir(join(cache, 'metadata-v2'));
  return first as string;
}
