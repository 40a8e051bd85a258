import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import type { IndexPluginEntry, TargetsVersionEntry } from '@agentplug/registry-client/protocol';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSyntheticIndex } from '../../registry-client/bench/synthetic-index';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { seedSignedCatalog, writeIntoStore } from '../bench/seed-catalog';
import { createMarketplaceService, type MarketplaceService } from '../src/service/marketplace-service';
import { toTargetsContent } from '../src/service/metadata-publisher';
import { migrateDatabase, quoteSchema } from '../src/sql/migrate';
import { openBlobFolder } from '../src/store/blob-folder';
import type { MarketplaceStore } from '../src/store/marketplace-store';
import { createSqlStore } from '../src/store/sql-store';
import { pgliteEngine, postgresEngine, type StoreEngine } from './helpers/store-engines';
import { readSignedCatalog } from './helpers/verify-signed-catalog';

const keys = generateSigningKeyPair();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

async function archiveOf(pluginId: string, version: string): Promise<Buffer> {
  const root = await createTemporaryFolder();
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }))).archive;
}

for (const engine of [pgliteEngine(), postgresEngine()] as StoreEngine[]) {
  describe(`the marketplace service over the ${engine.name} store`, { timeout: 180_000 }, () => {
    const services: MarketplaceService[] = [];
    afterAll(async () => {
      for (const service of services.splice(0)) await service.close();
      await engine.release();
    }, 120_000);
    const open = async (store: MarketplaceStore): Promise<MarketplaceService> => {
      const service = await createMarketplaceService({
        store,
        signingKey: keys,
        validator: undefined,
        statsResignDelayMs: 60_000,
        refreshIntervalMs: 0,
      });
      services.push(service);
      return service;
    };

    it('publishes, refuses a second publish with CONFLICT, yanks, and a restart serves what was signed', async () => {
      const { store, openSibling } = await engine.open();
      const service = await open(store);
      await service.publish(await archiveOf('com.example.a', '1.0.0'));
      const before = service.getCatalog();
      expect(await codeOf(service.publish(await archiveOf('com.example.a', '1.0.0')))).toBe('CONFLICT');
      expect(service.getCatalog()).toBe(before);
      await service.yank('com.example.a', '1.0.0', true);
      expect(await codeOf(service.yank('com.example.a', '9.9.9', true))).toBe('NOT_FOUND');
      expect(service.getCatalog().version).toBe(before.version + 1);
      const version = service.getCatalog().version;
      const restarted = await open(await (openSibling as () => Promise<MarketplaceStore>)());
      // A restart serves what was signed, without signing again.
      expect(restarted.getCatalog().version).toBe(version);
      expect(restarted.getCatalog().plugins['com.example.a']?.versions['1.0.0']?.yanked).toBe(true);
      const archive = await restarted.findArchive('com.example.a-1.0.0.tgz');
      expect(archive?.archive.size).toBeGreaterThan(0);
    });

    it('writes the catalog rows with the signed targets: after publishes, a yank and a revoke they say what the targets say; a refused publish leaves no row', async () => {
      const { store } = await engine.open();
      const service = await open(store);
      await service.publish(await archiveOf('com.example.r1', '1.0.0'));
      await service.publish(await archiveOf('com.example.r1', '1.1.0'));
      await service.publish(await archiveOf('com.example.r2', '1.0.0'));
      await service.yank('com.example.r1', '1.0.0', true);
      await service.revoke('com.example.r2', '1.0.0', { reason: 'malware', severity: 'critical' });
      const refused = service.publish(await archiveOf('com.example.r3', '1.0.0'), {
        beforeWrite: async () => {
          throw new PluginError('FORBIDDEN', 'not your namespace');
        },
      });
      expect(await codeOf(refused)).toBe('FORBIDDEN');
      const rows = (await store.catalogRows?.read()) ?? {};
      expect(Object.keys(rows).sort()).toEqual(['com.example.r1', 'com.example.r2']);
      const signed = await readSignedCatalog((path) => service.readMetadata(path), keys.publicKey);
      expect([...signed.plugins.keys()].sort()).toEqual(['com.example.r1', 'com.example.r2']);
      for (const [pluginId, targets] of signed.plugins) {
        expect(toTargetsContent(rows[pluginId] as IndexPluginEntry), pluginId).toEqual({
          plugin: targets.plugin,
          versions: targets.versions,
        });
      }
      expect(rows['com.example.r1']?.versions['1.0.0']?.yanked).toBe(true);
      expect(
        (rows['com.example.r2']?.versions['1.0.0'] as TargetsVersionEntry | undefined)?.revoked?.reason,
      ).toBe('malware');
    });

    it('fills the rows of a schema from before them, once, from its signed targets, and serves that catalog', async () => {
      const { sql } = await engine.open();
      const { database } = sql as NonNullable<typeof sql>;
      const schema = `before_rows_${process.pid}_${engine.name}`;
      await migrateDatabase(database, { schema, target: 4 });
      const blobs = await openBlobFolder(join(await createTemporaryFolder(), 'blobs'));
      // What the previous release kept: the signed metadata, no rows.
      const { plugins } = buildSyntheticIndex(40);
      await seedSignedCatalog(writeIntoStore(createSqlStore({ database, blobs, schema })), plugins, keys);
      expect(await migrateDatabase(database, { schema })).toEqual({ applied: [5], current: 5 });
      const store = createSqlStore({ database, blobs, schema });
      expect(await store.catalogRows?.count()).toBe(0);
      const service = await open(store);
      expect(await store.catalogRows?.count()).toBe(40);
      expect(Object.keys(service.getCatalog().plugins).sort()).toEqual(Object.keys(plugins).sort());
      const rows = (await store.catalogRows?.read()) ?? {};
      for (const [pluginId, entry] of Object.entries(plugins)) {
        expect(toTargetsContent(rows[pluginId] as IndexPluginEntry), pluginId).toEqual(
          toTargetsContent(entry),
        );
      }
      // Filled once: a restart reads the rows as they are.
      await open(createSqlStore({ database, blobs, schema }));
      expect(await store.catalogRows?.count()).toBe(40);
    });

    it('counts one rating per rater and plugin', async () => {
      const { store } = await engine.open();
      const service = await open(store);
      await service.publish(await archiveOf('com.example.rated', '1.0.0'));
      await service.rate('com.example.rated', 5, 'publisher:alice');
      await service.rate('com.example.rated', 1, 'publisher:alice');
      expect(await service.rate('com.example.rated', 4, 'publisher:bob')).toEqual({
        plugin_id: 'com.example.rated',
        rating: 2.5,
        rating_count: 2,
      });
    });

    it('lets a refused beforeWrite change nothing: no archive, no metadata, no version taken', async () => {
      const { store } = await engine.open();
      const service = await open(store);
      const before = service.getCatalog();
      const timestamp = await store.readMetadata('v2/timestamp.json');
      const refused = service.publish(await archiveOf('com.acme.tool', '1.0.0'), {
        beforeWrite: async () => {
          throw new PluginError('FORBIDDEN', 'not your namespace');
        },
      });
      expect(await codeOf(refused)).toBe('FORBIDDEN');
      expect(service.getCatalog()).toBe(before);
      expect(await store.readMetadata('v2/timestamp.json')).toEqual(timestamp);
      expect(await store.readMetadata('v2/targets/com.acme.tool/1.json')).toBeUndefined();
      expect(await store.listArchives()).toEqual([]);
    });

    it('signs the publishes that wait behind a round together; a refused one in that round undoes its own writes only', async () => {
      const { store: inner, sql } = await engine.open();
      const { database, schema } = sql as NonNullable<typeof sql>;
      const audit = `${quoteSchema(schema)}.audit_log`;
      const names = ['com.acme.a', 'com.acme.b', 'com.acme.c', 'com.acme.d', 'com.acme.d'];
      // The first publish holds its round until every other upload is inspected and waiting.
      let prepared = 0;
      let allWaiting!: () => void;
      const waiting = new Promise<void>((resolve) => {
        allWaiting = resolve;
      });
      const store: MarketplaceStore = {
        ...inner,
        async prepareArchive(archive) {
          await inner.prepareArchive(archive);
          prepared += 1;
          if (prepared === names.length + 1) setTimeout(allWaiting, 100);
        },
      };
      const service = await open(store);
      const before = service.getCatalog();
      const archives = await Promise.all(names.map((name) => archiveOf(name, '1.0.0')));
      const hook = (refuse: boolean) => ({
        async beforeWrite(change: { pluginId: string }) {
          await database.query(`insert into ${audit} (actor, action, subject) values ($1, $2, $3)`, [
            'test',
            'publish',
            change.pluginId,
          ]);
          if (refuse) throw new PluginError('FORBIDDEN', 'not your namespace');
        },
      });
      // The holder's round is running (its hook waits) before the others are even sent.
      let holding!: () => void;
      const held = new Promise<void>((resolve) => {
        holding = resolve;
      });
      const holder = service.publish(await archiveOf('com.acme.first', '1.0.0'), {
        async beforeWrite() {
          holding();
          await waiting;
        },
      });
      await held;
      const outcomes = await Promise.all(
        archives.map((archive, index) =>
          codeOf(service.publish(archive, hook(names[index] === 'com.acme.c'))),
        ),
      );
      expect(await codeOf(holder)).toBe('resolved');
      expect(outcomes.slice(0, 3)).toEqual(['resolved', 'resolved', 'FORBIDDEN']);
      // The same version twice in one round: the first is listed, the second is a conflict.
      expect(outcomes.slice(3).sort()).toEqual(['CONFLICT', 'resolved']);
      // Two rounds: the first publish alone, then the five that waited behind it.
      expect(service.getCatalog().version).toBe(before.version + 2);
      expect(Object.keys(service.getCatalog().plugins).sort()).toEqual([
        'com.acme.a',
        'com.acme.b',
        'com.acme.d',
        'com.acme.first',
      ]);
      const audited = await database.query<{ subject: string }>(`select subject from ${audit} order by id`);
      expect(audited.map((row) => row.subject).sort()).toEqual(['com.acme.a', 'com.acme.b', 'com.acme.d']);
      expect((await inner.listArchives()).map((archive) => archive.fileName)).toEqual([
        'com.acme.a-1.0.0.tgz',
        'com.acme.b-1.0.0.tgz',
        'com.acme.d-1.0.0.tgz',
        'com.acme.first-1.0.0.tgz',
      ]);
      expect(await inner.readVersionDocument('com.acme.c', '1.0.0')).toBeUndefined();
    });

    it('two instances on one store publish concurrently: every acknowledged publish is in the signed metadata, no two snapshots share a version', async () => {
      const { store, openSibling } = await engine.open();
      const first = await open(store);
      const second = await open(await (openSibling as () => Promise<MarketplaceStore>)());
      const archives = await Promise.all(
        Array.from({ length: 16 }, (_, index) => archiveOf(`com.example.p${index}`, '1.0.0')),
      );
      // Publishes that meet in one signing round share its snapshot; a snapshot is one version, one content.
      const snapshotOf = new Map<number, Set<string>>();
      const results = await Promise.all(
        archives.map(async (archive, index) => {
          const instance = index % 2 === 0 ? first : second;
          const result = await instance.publish(archive);
          const { version, plugins } = instance.getCatalog();
          expect(plugins[result.plugin_id]).toBeDefined();
          const bytes = await instance.readMetadata(`v2/snapshot/${version}.json`);
          const snapshots = snapshotOf.get(version) ?? new Set<string>();
          snapshots.add(Buffer.from(bytes ?? []).toString('base64'));
          snapshotOf.set(version, snapshots);
          return result;
        }),
      );
      await first.refresh();
      await second.refresh();
      const final = first.getCatalog();
      expect(second.getCatalog().version).toBe(final.version);
      for (const result of results) expect(final.plugins[result.plugin_id]?.versions['1.0.0']).toBeDefined();
      for (const snapshots of snapshotOf.values()) expect(snapshots.size).toBe(1);
      const signed = await readSignedCatalog((path) => first.readMetadata(path), keys.publicKey);
      expect(signed.snapshotVersion).toBe(final.version);
      for (const result of results) {
        expect(signed.plugins.get(result.plugin_id)?.versions['1.0.0']?.sha256).toBe(result.sha256);
      }
    });
  });
}
