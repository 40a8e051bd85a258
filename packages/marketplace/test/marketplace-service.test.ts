import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { packPlugin } from '@agentplug/registry-client';
import { generateSigningKeyPair } from '@agentplug/registry-client/protocol';
import { PluginValidator } from '@agentplug/validator';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createTemporaryFolder,
  snapshotFolder,
  writePluginFolder,
} from '../../registry-client/test/helpers/plugin-fixtures';
import { createMarketplaceServer } from '../src/create-marketplace-server';
import { createMarketplaceService, type MarketplaceService } from '../src/service/marketplace-service';
import { createFolderStore } from '../src/store/folder-store';
import type { MarketplaceStore } from '../src/store/marketplace-store';

const keys = generateSigningKeyPair();
const services: MarketplaceService[] = [];
afterEach(async () => {
  for (const service of services.splice(0)) await service.close();
});

/** A real folder store whose next write of one kind, once armed, fails as a full disk would. */
function failingOnce(
  store: MarketplaceStore,
  operation: 'writeMetadata' | 'writeArchives' | 'writeVersionDocuments',
): { store: MarketplaceStore; arm: () => void } {
  let armed = false;
  const write = store[operation] as (...values: unknown[]) => Promise<void>;
  return {
    arm: () => {
      armed = true;
    },
    store: {
      ...store,
      [operation]: async (...values: unknown[]) => {
        if (armed) {
          armed = false;
          throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
        }
        return write(...values);
      },
    },
  };
}

async function openService(store: MarketplaceStore): Promise<MarketplaceService> {
  const service = await createMarketplaceService({
    store,
    signingKey: keys,
    validator: undefined,
    statsResignDelayMs: 60_000,
  });
  services.push(service);
  return service;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

describe('the marketplace service over a folder store', () => {
  for (const operation of ['writeMetadata', 'writeArchives', 'writeVersionDocuments'] as const) {
    it(`publishes nothing when ${operation} fails, and the same publish succeeds afterwards`, async () => {
      const root = await createTemporaryFolder();
      const storeFolder = join(root, 'store');
      const failing = failingOnce(await createFolderStore(storeFolder), operation);
      const service = await openService(failing.store);
      const before = service.getCatalog();
      const served = await snapshotFolder(storeFolder);
      const { archive } = await packPlugin(
        await writePluginFolder(root, { plugin_id: 'com.example.a', version: '1.0.0' }),
      );
      failing.arm();
      await expect(service.publish(archive)).rejects.toThrowError('ENOSPC');
      expect(service.getCatalog()).toBe(before);
      expect(service.search({}).results).toEqual([]);
      expect(await service.findArchive('com.example.a-1.0.0.tgz')).toBeUndefined();
      const after = await snapshotFolder(storeFolder);
      expect(after['v2/timestamp.json']).toBe(served['v2/timestamp.json']);
      expect(Object.keys(after).filter((path) => path.startsWith('v2/targets/'))).toEqual([]);
      // An archive written before its metadata failed stays unlisted and unserved; the retry replaces it.
      if (operation === 'writeArchives') expect(after).toEqual(served);
      // Not CONFLICT: the failed publish left nothing behind that claims the version.
      expect(await service.publish(archive)).toMatchObject({ plugin_id: 'com.example.a', version: '1.0.0' });
      expect(service.getCatalog().version).toBe(before.version + 1);
      expect(Object.keys(service.getCatalog().plugins)).toEqual(['com.example.a']);
    });
  }

  it('keeps the validation report and README of each published version, and reads them back', async () => {
    const root = await createTemporaryFolder();
    const store = await createFolderStore(join(root, 'store'));
    const service = await createMarketplaceService({
      store,
      signingKey: keys,
      validator: new PluginValidator(),
      statsResignDelayMs: 60_000,
    });
    services.push(service);
    const folder = await writePluginFolder(
      root,
      {
        plugin_id: 'com.example.net',
        version: '1.0.0',
        license: 'MIT',
        permissions: { network_hosts: ['api.example.com'] },
      },
      {
        'main.js':
          "export class Plugin {\n  async describe() {\n    return (await fetch('https://api.example.com/x')).status;\n  }\n}\n",
        'README.md': '# Net\n\n<script>alert(1)</script>',
      },
    );
    await service.publish((await packPlugin(folder)).archive);
    const report = await service.getVersionReport('com.example.net', '1.0.0');
    expect(report).toMatchObject({ plugin_id: 'com.example.net', version: '1.0.0', license: 'MIT' });
    expect(report?.readme).toBe('# Net\n\n<script>alert(1)</script>');
    expect(report?.validation?.security_score).toBe(
      service.getPlugin('com.example.net')?.versions['1.0.0']?.security_score,
    );
    expect(report?.validation?.score_breakdown.map((deduction) => deduction.factor)).toContain('network');
    expect(report?.validation?.findings[0]).toMatchObject({
      capability: 'network',
      file: 'main.js',
      line: 3,
    });
    expect(await service.getVersionReport('com.example.net', '9.9.9')).toBeUndefined();
    expect(await service.getVersionReport('com.example.none', '1.0.0')).toBeUndefined();
    // A damaged report is refused as untrusted data, not trusted or crashed on.
    await store.writeVersionDocuments([
      { pluginId: 'com.example.net', version: '1.0.0', document: Buffer.from('{"plugin_id": 1}') },
    ]);
    expect(await codeOf(service.getVersionReport('com.example.net', '1.0.0'))).toBe('INVALID_ARGUMENT');
    await store.writeVersionDocuments([
      { pluginId: 'com.example.net', version: '1.0.0', document: Buffer.from('{"plugin_id": ') },
    ]);
    expect(await codeOf(service.getVersionReport('com.example.net', '1.0.0'))).toBe('INVALID_ARGUMENT');
  });

  it('refuses a version document whose id or version is not one the protocol accepts', async () => {
    const root = await createTemporaryFolder();
    const store = await createFolderStore(join(root, 'store'));
    const before = await snapshotFolder(join(root, 'store'));
    for (const [pluginId, version] of [
      ['../escape', '1.0.0'],
      ['com.example.a', '../../x'],
    ] as const) {
      expect(
        await codeOf(
          store.writeVersionDocuments([
            { pluginId: pluginId, version: version, document: Buffer.from('{}') },
          ]),
        ),
      ).toBe('INVALID_ARGUMENT');
      expect(await codeOf(store.readVersionDocument(pluginId, version))).toBe('INVALID_ARGUMENT');
    }
    expect(await snapshotFolder(join(root, 'store'))).toEqual(before);
  });

  it('refuses a second publish of a version with CONFLICT and changes nothing', async () => {
    const root = await createTemporaryFolder();
    const storeFolder = join(root, 'store');
    const service = await openService(await createFolderStore(storeFolder));
    const { archive } = await packPlugin(
      await writePluginFolder(root, { plugin_id: 'com.example.a', version: '1.0.0' }),
    );
    await service.publish(archive);
    const index = service.getCatalog();
    const stored = await snapshotFolder(storeFolder);
    const conflict = await service.publish(archive).catch((error: unknown) => error);
    expect(PluginError.is(conflict, 'CONFLICT') && conflict.details).toEqual({
      pluginId: 'com.example.a',
      version: '1.0.0',
    });
    expect(service.getCatalog()).toBe(index);
    expect(await snapshotFolder(storeFolder)).toEqual(stored);
  });

  it("refuses a plugin whose dependencies it cannot satisfy with the resolver's explanation, and changes nothing", async () => {
    const root = await createTemporaryFolder();
    const storeFolder = join(root, 'store');
    const service = await openService(await createFolderStore(storeFolder));
    await service.publish(
      (await packPlugin(await writePluginFolder(root, { plugin_id: 'com.example.base', version: '1.0.0' })))
        .archive,
    );
    const dependent = (version: string, constraint: string, pluginId = 'com.example.base') =>
      writePluginFolder(root, {
        plugin_id: 'com.example.app',
        version,
        dependencies: [{ plugin_id: pluginId, version_constraint: constraint }],
      });
    const index = service.getCatalog();
    const stored = await snapshotFolder(storeFolder);
    for (const [constraint, pluginId] of [
      ['>=2.0.0', 'com.example.base'],
      ['^1.0.0', 'com.example.nowhere'],
    ] as const) {
      const refused = await service
        .publish((await packPlugin(await dependent('1.0.0', constraint, pluginId))).archive)
        .catch((error: unknown) => error);
      expect(PluginError.is(refused, 'DEPENDENCY_UNRESOLVED')).toBe(true);
      expect((refused as PluginError).message).toContain(pluginId);
      expect(service.getCatalog()).toBe(index);
      expect(await snapshotFolder(storeFolder)).toEqual(stored);
    }
    expect(
      await service.publish((await packPlugin(await dependent('1.0.1', '^1.0.0'))).archive),
    ).toMatchObject({ plugin_id: 'com.example.app', version: '1.0.1' });
  });

  it('rates only known plugins with an integer from 1 to 5', async () => {
    const root = await createTemporaryFolder();
    const service = await openService(await createFolderStore(join(root, 'store')));
    await service.publish(
      (await packPlugin(await writePluginFolder(root, { plugin_id: 'com.example.a', version: '1.0.0' })))
        .archive,
    );
    for (const rating of [0, 6, 2.5, '5', null, undefined]) {
      expect(await codeOf(service.rate('com.example.a', rating))).toBe('INVALID_ARGUMENT');
    }
    expect(await codeOf(service.rate('com.example.none', 5))).toBe('NOT_FOUND');
    expect(service.getPlugin('com.example.a')).toMatchObject({ rating: 0, rating_count: 0 });
    expect(await service.rate('com.example.a', 4)).toEqual({
      plugin_id: 'com.example.a',
      rating: 4,
      rating_count: 1,
    });
  });
  it('answers each rating with the total that includes it, while counters are reloaded and re-signed meanwhile', async () => {
    const root = await createTemporaryFolder();
    const service = await createMarketplaceService({
      store: await createFolderStore(join(root, 'store')),
      signingKey: keys,
      validator: undefined,
      statsResignDelayMs: 0,
    });
    services.push(service);
    await service.publish(
      (await packPlugin(await writePluginFolder(root, { plugin_id: 'com.example.a', version: '1.0.0' })))
        .archive,
    );
    for (let count = 1; count <= 40; count += 1) {
      // A download schedules a reload of the counters that runs while the rating is being stored.
      service.recordDownload('com.example.a');
      expect(await service.rate('com.example.a', 5)).toEqual({
        plugin_id: 'com.example.a',
        rating: 5,
        rating_count: count,
      });
    }
  });
});

describe('the folder store', () => {
  it('opens only archive files directly in archives/: no paths, no hidden or temporary files', async () => {
    const root = await createTemporaryFolder();
    const store = await createFolderStore(join(root, 'store'));
    await store.writeArchives([
      { fileName: 'com.example.a-1.0.0.tgz', archive: Buffer.from('archive bytes') },
    ]);
    await writeFile(join(root, 'store', 'archives', '.com.example.a-1.0.0.tgz.123.tmp'), 'partial');
    await writeFile(join(root, 'store', 'archives', '.hidden.tgz'), 'hidden');
    await mkdir(join(root, 'store', 'archives', 'folder.tgz'));
    await writeFile(join(root, 'secret.tgz'), 'outside');
    expect((await store.listArchives()).map((archive) => archive.fileName)).toEqual([
      'com.example.a-1.0.0.tgz',
    ]);
    const opened = await store.openArchive('com.example.a-1.0.0.tgz');
    expect(opened?.size).toBe(13);
    expect((await opened?.read())?.toString()).toBe('archive bytes');
    for (const name of [
      '../secret.tgz',
      '..\\secret.tgz',
      '.hidden.tgz',
      'folder.tgz',
      'missing.tgz',
      'index.json',
    ]) {
      expect(await store.openArchive(name), name).toBeUndefined();
    }
  });

  it('refuses to start over a damaged v2/timestamp.json with INDEX_INVALID, writing nothing (not even a first root)', async () => {
    const root = await createTemporaryFolder();
    const storeFolder = join(root, 'store');
    await mkdir(join(storeFolder, 'v2'), { recursive: true });
    await createFolderStore(storeFolder);
    for (const damaged of ['{ not json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, '{"signed":{}}']) {
      await writeFile(join(storeFolder, 'v2', 'timestamp.json'), damaged);
      const before = await snapshotFolder(storeFolder);
      expect(
        await codeOf(
          createMarketplaceServer({ storeDirectory: storeFolder, signingKey: keys, validator: false }),
        ),
      ).toBe('INDEX_INVALID');
      expect(await snapshotFolder(storeFolder)).toEqual(before);
    }
  });

  it('reads its stats.json as untrusted data: no prototype pollution', async () => {
    const root = await createTemporaryFolder();
    const storeFolder = join(root, 'store');
    const store = await createFolderStore(storeFolder);
    await writeFile(
      join(storeFolder, 'stats.json'),
      '{"downloads":{"__proto__":{"polluted":1}},"ratings":{"constructor":{"sum":5,"count":1}}}',
    );
    const stats = await store.readStats();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(stats.downloads)).toBeNull();
  });
});
