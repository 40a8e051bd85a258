import { PluginError } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair, verifyIndex } from '@agentplug/registry-client/protocol';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { createMarketplaceService, type MarketplaceService } from '../src/service/marketplace-service';
import type { MarketplaceStore } from '../src/store/marketplace-store';
import { pgliteEngine, postgresEngine, type StoreEngine } from './helpers/store-engines';

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
        indexLifetimeMs: 60_000,
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
      const before = service.getIndex();
      expect(await codeOf(service.publish(await archiveOf('com.example.a', '1.0.0')))).toBe('CONFLICT');
      expect(service.getIndex()).toBe(before);
      await service.yank('com.example.a', '1.0.0', true);
      expect(await codeOf(service.yank('com.example.a', '9.9.9', true))).toBe('NOT_FOUND');
      const version = service.getIndex().version;
      const restarted = await open(await (openSibling as () => Promise<MarketplaceStore>)());
      // A restart signs once more (a fresh expiry), with the next version and the same catalog.
      expect(restarted.getIndex().version).toBe(version + 1);
      expect(restarted.getIndex().plugins['com.example.a']?.versions['1.0.0']?.yanked).toBe(true);
      const archive = await restarted.findArchive('com.example.a-1.0.0.tgz');
      expect(archive?.archive.size).toBeGreaterThan(0);
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

    it('lets a refused beforeWrite change nothing: no archive, no index, no version taken', async () => {
      const { store } = await engine.open();
      const service = await open(store);
      const before = service.getIndex();
      const refused = service.publish(await archiveOf('com.acme.tool', '1.0.0'), {
        beforeWrite: async () => {
          throw new PluginError('FORBIDDEN', 'not your namespace');
        },
      });
      expect(await codeOf(refused)).toBe('FORBIDDEN');
      expect(service.getIndex()).toBe(before);
      expect(await store.readIndexVersion()).toBe(before.version);
      expect(await store.listArchives()).toEqual([]);
    });

    it('two instances on one store publish concurrently: every acknowledged publish is in the signed index, versions strictly increase', async () => {
      const { store, openSibling } = await engine.open();
      const first = await open(store);
      const second = await open(await (openSibling as () => Promise<MarketplaceStore>)());
      const archives = await Promise.all(
        Array.from({ length: 16 }, (_, index) => archiveOf(`com.example.p${index}`, '1.0.0')),
      );
      const seen: number[] = [];
      const results = await Promise.all(
        archives.map(async (archive, index) => {
          const instance = index % 2 === 0 ? first : second;
          const result = await instance.publish(archive);
          seen.push(instance.getIndex().version);
          return result;
        }),
      );
      await first.refresh();
      await second.refresh();
      const final = first.getIndex();
      expect(second.getIndex().version).toBe(final.version);
      for (const result of results) expect(final.plugins[result.plugin_id]?.versions['1.0.0']).toBeDefined();
      // Each publish signed its own version: no two share one.
      expect(new Set(seen).size).toBe(seen.length);
      expect(
        verifyIndex(JSON.parse(first.getIndexDocument().toString()), { trustedKeys: [keys.publicKey] })
          .version,
      ).toBe(final.version);
    });
  });
}
