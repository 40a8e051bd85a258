import { text } from 'node:stream/consumers';
import { PluginError } from '@agentplug/models';
import type { IndexPluginEntry, TargetsVersionEntry } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import type { MarketplaceStore } from '../src/store/marketplace-store';
import { folderEngine, pgliteEngine, postgresEngine, type StoreEngine } from './helpers/store-engines';

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

/** A catalog entry with the given versions, as the service builds one. */
function catalogEntry(pluginId: string, versions: readonly string[]): IndexPluginEntry {
  const entry: IndexPluginEntry = {
    plugin_id: pluginId,
    name: `name of ${pluginId}`,
    description: 'a description',
    plugin_type: 'tool',
    tags: ['one', 'two'],
    author: 'tests',
    downloads: 0,
    rating: 0,
    rating_count: 0,
    versions: {},
  };
  for (const version of versions) {
    entry.versions[version] = {
      version,
      dependencies: [{ plugin_id: 'com.example.base', version_constraint: '^1.0.0', optional: true }],
      min_runtime_version: '1.0.0',
      max_runtime_version: '*',
      permissions: {
        filesystem_read: ['./data'],
        filesystem_write: [],
        network_hosts: ['api.example.com'],
        external_apis: [],
        environment_variables: ['HOME', 'PATH'],
      },
      security_score: 85,
      risk_level: 'medium',
      sha256: 'c'.repeat(64),
      size: 1234,
      published_at: '2026-12-06T23:59:59.123Z',
      yanked: version === '1.0.0',
    };
  }
  return entry;
}

// A stand-in for a signed round: snapshot N, then a timestamp naming it (the store does not verify).
const signSnapshot = (store: MarketplaceStore, version: number): Promise<void> =>
  store.writeMetadata([
    { path: `v2/snapshot/${version}.json`, bytes: Buffer.from(JSON.stringify({ version })) },
    { path: 'v2/timestamp.json', bytes: Buffer.from(JSON.stringify({ version })) },
  ]);
const signedVersion = async (store: MarketplaceStore): Promise<number> => {
  const bytes = await store.readMetadata('v2/timestamp.json');
  return bytes === undefined ? 0 : (JSON.parse(Buffer.from(bytes).toString()) as { version: number }).version;
};

// The same contract for every engine: what the marketplace service relies on.
for (const engine of [folderEngine(), pgliteEngine(), postgresEngine()] as StoreEngine[]) {
  describe(`the ${engine.name} store`, { timeout: 180_000 }, () => {
    afterAll(() => engine.release(), 120_000);

    it('starts empty: no metadata, no archives, no counters', async () => {
      const { store } = await engine.open();
      expect(await store.readMetadata('v2/timestamp.json')).toBeUndefined();
      expect(await store.readMetadata('v2/root/1.json')).toBeUndefined();
      expect(await store.listArchives()).toEqual([]);
      expect(await store.readStats()).toEqual({ downloads: {}, ratings: {} });
    });

    it('writes each snapshot version once: a second batch naming a stored snapshot is CONFLICT and writes none of its files', async () => {
      const { store } = await engine.open();
      await store.writeMetadata([
        { path: 'v2/snapshot/3.json', bytes: Buffer.from('{"snapshot":3}') },
        { path: 'v2/timestamp.json', bytes: Buffer.from('{"timestamp":3}') },
      ]);
      const node = `v2/tree/${'b'.repeat(64)}.json`;
      expect(
        await codeOf(
          store.writeMetadata([
            { path: node, bytes: Buffer.from('{"node":2}') },
            { path: 'v2/snapshot/3.json', bytes: Buffer.from('{"snapshot":"other"}') },
            { path: 'v2/timestamp.json', bytes: Buffer.from('{"timestamp":"other"}') },
          ]),
        ),
      ).toBe('CONFLICT');
      expect(Buffer.from((await store.readMetadata('v2/snapshot/3.json')) ?? []).toString()).toBe(
        '{"snapshot":3}',
      );
      expect(Buffer.from((await store.readMetadata('v2/timestamp.json')) ?? []).toString()).toBe(
        '{"timestamp":3}',
      );
      expect(await store.readMetadata(node)).toBeUndefined();
    });

    it('keeps the catalog as rows where the engine has them: read back equal, a plugin replaced whole, a subset by id', async () => {
      const { store } = await engine.open();
      const rows = store.catalogRows;
      if (engine.name === 'folder') {
        expect(rows).toBeUndefined();
        return;
      }
      if (rows === undefined) throw new Error(`the ${engine.name} store keeps no catalog rows`);
      const first = catalogEntry('com.example.rows', ['1.0.0', '1.1.0']);
      const second = catalogEntry('com.example.other', ['2.0.0']);
      const revoked = first.versions['1.1.0'] as TargetsVersionEntry;
      revoked.revoked = {
        reason: 'a "quoted" reason',
        severity: 'critical',
        revoked_at: '2026-12-07T00:00:00.000Z',
      };
      revoked.permissions = {
        ...revoked.permissions,
        network_hosts: ['b.example.com', 'a.example.com'],
        custom: { x: 1 },
      };
      await rows.write([first, second]);
      expect(await rows.count()).toBe(2);
      expect(await rows.read()).toEqual({ 'com.example.rows': first, 'com.example.other': second });
      // A second write of a plugin replaces its versions and permissions, not adds to them.
      const replaced = catalogEntry('com.example.rows', ['1.2.0']);
      replaced.tags = ['a,b', 'with "quote"', 'back\\slash', ''];
      await rows.write([replaced]);
      expect(await rows.read(['com.example.rows'])).toEqual({ 'com.example.rows': replaced });
      expect(Object.keys(await rows.read())).toEqual(
        expect.arrayContaining(['com.example.rows', 'com.example.other']),
      );
      expect(await rows.read(['com.example.none'])).toEqual({});
    });

    it('stores archives by name: read and streamed whole, listed by name, unknown and path-like names are undefined', async () => {
      const { store } = await engine.open();
      await store.writeArchives([{ fileName: 'com.example.b-1.0.0.tgz', archive: Buffer.from('bee') }]);
      await store.writeArchives([
        { fileName: 'com.example.a-1.0.0.tgz', archive: Buffer.from('archive bytes') },
      ]);
      // The same bytes under a second name (content-addressed engines keep them once).
      await store.writeArchives([
        { fileName: 'com.example.a-1.0.1.tgz', archive: Buffer.from('archive bytes') },
      ]);
      expect((await store.listArchives()).map((archive) => [archive.fileName, archive.size])).toEqual([
        ['com.example.a-1.0.0.tgz', 13],
        ['com.example.a-1.0.1.tgz', 13],
        ['com.example.b-1.0.0.tgz', 3],
      ]);
      const opened = await store.openArchive('com.example.a-1.0.0.tgz');
      if (opened === undefined) throw new Error('the archive just written is not there');
      expect(opened.size).toBe(13);
      expect(Number.isNaN(Date.parse(opened.storedAt))).toBe(false);
      expect((await opened.read()).toString()).toBe('archive bytes');
      expect(await text(opened.stream())).toBe('archive bytes');
      for (const name of ['../secret.tgz', '..\\secret.tgz', 'missing.tgz', 'index.json', '']) {
        expect(await store.openArchive(name), name).toBeUndefined();
      }
    });

    it('stores a batch of archives and documents in one call (a round of publishes): every one kept, the last of a repeated name wins', async () => {
      const { store } = await engine.open();
      const names = Array.from({ length: 520 }, (_, index) => `com.example.batch${index}`);
      await store.writeArchives([
        ...names.map((name) => ({ fileName: `${name}-1.0.0.tgz`, archive: Buffer.from(`bytes of ${name}`) })),
        { fileName: 'com.example.batch0-1.0.0.tgz', archive: Buffer.from('second bytes') },
      ]);
      await store.writeVersionDocuments([
        ...names.map((name) => ({
          pluginId: name,
          version: '1.0.0',
          document: Buffer.from(`{"of":"${name}"}`),
        })),
        { pluginId: 'com.example.batch1', version: '1.0.0', document: Buffer.from('{"second":2}') },
      ]);
      expect((await store.listArchives()).length).toBe(names.length);
      expect((await (await store.openArchive('com.example.batch0-1.0.0.tgz'))?.read())?.toString()).toBe(
        'second bytes',
      );
      expect((await (await store.openArchive('com.example.batch519-1.0.0.tgz'))?.read())?.toString()).toBe(
        'bytes of com.example.batch519',
      );
      expect(
        Buffer.from((await store.readVersionDocument('com.example.batch1', '1.0.0')) ?? []).toString(),
      ).toBe('{"second":2}');
      expect(
        Buffer.from((await store.readVersionDocument('com.example.batch510', '1.0.0')) ?? []).toString(),
      ).toBe('{"of":"com.example.batch510"}');
      await store.writeArchives([]);
      await store.writeVersionDocuments([]);
      expect((await store.listArchives()).length).toBe(names.length);
    });

    it('keeps protocol v2 metadata files by path, and refuses a batch with a path outside the layout before writing any', async () => {
      const { store } = await engine.open();
      const node = `v2/tree/${'a'.repeat(64)}.json`;
      await store.writeMetadata([
        { path: node, bytes: Buffer.from('{"node":1}') },
        { path: 'v2/timestamp.json', bytes: Buffer.from('{"timestamp":1}') },
      ]);
      await store.writeMetadata([{ path: 'v2/timestamp.json', bytes: Buffer.from('{"timestamp":2}') }]);
      expect(Buffer.from((await store.readMetadata(node)) ?? []).toString()).toBe('{"node":1}');
      expect(Buffer.from((await store.readMetadata('v2/timestamp.json')) ?? []).toString()).toBe(
        '{"timestamp":2}',
      );
      for (const path of ['v2/../index.json', '../escape.json', 'v2/targets/__proto__/1.json']) {
        expect(
          await codeOf(
            store.writeMetadata([
              { path: 'v2/snapshot/7.json', bytes: Buffer.from('{}') },
              { path, bytes: Buffer.from('{}') },
            ]),
          ),
        ).toBe('INVALID_ARGUMENT');
        expect(await store.readMetadata(path)).toBeUndefined();
      }
      expect(await store.readMetadata('v2/snapshot/7.json')).toBeUndefined();
    });

    it('keeps one document per published version, replaced whole, and none for a version never written', async () => {
      const { store } = await engine.open();
      expect(await store.readVersionDocument('com.example.a', '1.0.0')).toBeUndefined();
      await store.writeVersionDocuments([
        { pluginId: 'com.example.a', version: '1.0.0', document: Buffer.from('{"first":1}') },
      ]);
      await store.writeVersionDocuments([
        { pluginId: 'com.example.a', version: '1.0.1', document: Buffer.from('{"other":1}') },
      ]);
      await store.writeVersionDocuments([
        { pluginId: 'com.example.a', version: '1.0.0', document: Buffer.from('{"second":2}') },
      ]);
      expect(Buffer.from((await store.readVersionDocument('com.example.a', '1.0.0')) ?? []).toString()).toBe(
        '{"second":2}',
      );
      expect(Buffer.from((await store.readVersionDocument('com.example.a', '1.0.1')) ?? []).toString()).toBe(
        '{"other":1}',
      );
      expect(await store.readVersionDocument('com.example.b', '1.0.0')).toBeUndefined();
    });

    it('adds download counts, concurrent batches included, and answers rating totals', async () => {
      const { store, keepsRaters } = await engine.open();
      await Promise.all(
        Array.from({ length: 20 }, () => store.addDownloads({ 'com.example.a': 2, 'com.example.b': 1 })),
      );
      await store.addDownloads({});
      expect(await store.addRating('com.example.a', 'alice', 5)).toEqual({ sum: 5, count: 1 });
      expect(await store.addRating('com.example.a', 'bob', 3)).toEqual({ sum: 8, count: 2 });
      // A rater's second rating replaces the first where raters are kept.
      expect(await store.addRating('com.example.a', 'alice', 1)).toEqual(
        keepsRaters ? { sum: 4, count: 2 } : { sum: 9, count: 3 },
      );
      const stats = await store.readStats();
      expect({ ...stats.downloads }).toEqual({ 'com.example.a': 40, 'com.example.b': 20 });
      expect({ ...stats.ratings }).toEqual({
        'com.example.a': keepsRaters ? { sum: 4, count: 2 } : { sum: 9, count: 3 },
      });
    });

    it('runs exclusive sections one at a time, and a failed one undoes its writes where the engine has transactions', async () => {
      const { store, rollsBack } = await engine.open();
      const events: string[] = [];
      await Promise.all(
        [1, 2, 3].map((section) =>
          store.exclusive(async () => {
            events.push(`start ${section}`);
            await new Promise((resolve) => setTimeout(resolve, 20));
            events.push(`end ${section}`);
          }),
        ),
      );
      // Never interleaved (the order between waiting instances is the database's to choose).
      expect(events).toHaveLength(6);
      for (let index = 0; index < events.length; index += 2) {
        expect(events[index + 1]).toBe(events[index]?.replace('start', 'end'));
      }
      await signSnapshot(store, 1);
      const failed = store.exclusive(async () => {
        await store.writeArchives([{ fileName: 'com.example.a-1.0.0.tgz', archive: Buffer.from('bytes') }]);
        await signSnapshot(store, 2);
        throw new PluginError('FORBIDDEN', 'refused after writing');
      });
      expect(await codeOf(failed)).toBe('FORBIDDEN');
      if (rollsBack) {
        expect(await signedVersion(store)).toBe(1);
        expect(await store.openArchive('com.example.a-1.0.0.tgz')).toBeUndefined();
        // The version the failed section wrote was never taken: it can be signed now.
        await signSnapshot(store, 2);
        expect(await signedVersion(store)).toBe(2);
      }
    });

    it('undoes a failed attempt inside an exclusive section where the engine has transactions, and keeps the rest', async () => {
      const { store, rollsBack } = await engine.open();
      // Bytes prepared outside the lock are listed by the write inside it.
      await store.prepareArchive(Buffer.from('prepared bytes'));
      await store.exclusive(async () => {
        await store.attempt(async () => {
          await store.writeArchives([
            { fileName: 'com.example.a-1.0.0.tgz', archive: Buffer.from('prepared bytes') },
          ]);
        });
        const refused = store.attempt(async () => {
          await store.writeArchives([
            { fileName: 'com.example.b-1.0.0.tgz', archive: Buffer.from('refused bytes') },
          ]);
          await store.writeVersionDocuments([
            { pluginId: 'com.example.b', version: '1.0.0', document: Buffer.from('{}') },
          ]);
          throw new PluginError('FORBIDDEN', 'refused after writing');
        });
        expect(await codeOf(refused)).toBe('FORBIDDEN');
        await store.writeVersionDocuments([
          { pluginId: 'com.example.a', version: '1.0.0', document: Buffer.from('{"kept":1}') },
        ]);
      });
      expect(await (await store.openArchive('com.example.a-1.0.0.tgz'))?.read()).toEqual(
        Buffer.from('prepared bytes'),
      );
      expect(Buffer.from((await store.readVersionDocument('com.example.a', '1.0.0')) ?? [])).toEqual(
        Buffer.from('{"kept":1}'),
      );
      if (rollsBack) {
        expect(await store.openArchive('com.example.b-1.0.0.tgz')).toBeUndefined();
        expect(await store.readVersionDocument('com.example.b', '1.0.0')).toBeUndefined();
      }
    });

    it('lets two instances sign concurrently without ever sharing a version', async () => {
      const { store, openSibling } = await engine.open();
      if (openSibling === undefined) return; // one-process engine: nothing to share
      const sibling = await openSibling();
      const signNext = (instance: typeof store) =>
        instance.exclusive(async () => {
          const version = (await signedVersion(instance)) + 1;
          await signSnapshot(instance, version);
          return version;
        });
      const versions = await Promise.all(
        Array.from({ length: 30 }, (_, index) => signNext(index % 2 === 0 ? store : sibling)),
      );
      expect([...versions].sort((left, right) => left - right)).toEqual(
        Array.from({ length: 30 }, (_, index) => index + 1),
      );
      expect(await signedVersion(sibling)).toBe(30);
      // Without the lock, the store still refuses a second snapshot with one version.
      expect(await codeOf(signSnapshot(sibling, 30))).toBe('CONFLICT');
    });
  });
}
