import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, pathExists } from '@agentplug/models';
import { type NetworkOptions, PluginRegistry, packPlugin, TrustedMetadata } from '@agentplug/registry-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { buildStaticMarketplace, generateSigningKeyPair } from '../src/index';
import { startStaticFileServer } from './helpers/static-file-server';

const keys = generateSigningKeyPair();
const network: NetworkOptions = {
  fetch: (input, init) => fetch(input, init),
  requestTimeoutMs: 10_000,
  stallTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  retries: 0,
  retryDelayMs: 10,
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function writeArchive(folder: string, pluginId: string, version: string): Promise<void> {
  const root = await createTemporaryFolder();
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  const { archive } = await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version }));
  await writeFile(join(folder, `${pluginId}-${version}.tgz`), archive);
}

async function targetsFiles(output: string, pluginId: string): Promise<string[]> {
  return (await readdir(join(output, 'v2', 'targets', pluginId)).catch(() => [])).sort();
}

describe('the static builder writes protocol v2 a dumb file host can serve', () => {
  it('re-signs only what changed, drops removed plugins, and a client verifies it over plain HTTP', async () => {
    const root = await createTemporaryFolder();
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const archives = join(root, 'archives-in');
    const output = join(root, 'site');
    await mkdir(archives, { recursive: true });
    await writeArchive(archives, 'com.example.alpha', '1.0.0');
    await writeArchive(archives, 'com.example.beta', '1.0.0');
    const build = (now = new Date()) =>
      buildStaticMarketplace({
        archivesDirectory: archives,
        outputDirectory: output,
        signingKey: keys,
        validator: false,
        now,
      });
    const first = await build();
    expect(Date.parse(first.timestampExpires) - Date.now()).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
    const host = await startStaticFileServer(output);
    cleanups.push(() => host.close());
    const trustedRoot = await readFile(join(output, 'v2', 'root', '1.json'));
    const cacheDirectory = join(root, 'cache');
    const connect = () =>
      new TrustedMetadata({ marketplaceUrl: host.url, trustedRoot, network, cacheDirectory });
    expect((await connect().getTargets('com.example.alpha'))?.versions['1.0.0']?.version).toBe('1.0.0');

    // Nothing changed: the targets stay as signed; only snapshot and timestamp are new.
    await build();
    expect(await targetsFiles(output, 'com.example.alpha')).toEqual(['1.json']);
    const unchanged = connect();
    expect((await unchanged.refresh()).snapshot.version).toBe(2);
    expect((await unchanged.getTargets('com.example.alpha'))?.version).toBe(1);

    // A new version re-signs that plugin only; a removed archive removes its plugin.
    await writeArchive(archives, 'com.example.alpha', '1.1.0');
    await rm(join(archives, 'com.example.beta-1.0.0.tgz'));
    await build();
    expect(await targetsFiles(output, 'com.example.alpha')).toEqual(['1.json', '2.json']);
    const changed = connect();
    expect(Object.keys((await changed.getTargets('com.example.alpha'))?.versions ?? {}).sort()).toEqual([
      '1.0.0',
      '1.1.0',
    ]);
    expect(await changed.getTargets('com.example.beta')).toBeUndefined();
  });
});

describe('search on a static host: the builder writes v2/search.json, the client ranks with it and reads results from signed targets', () => {
  it('finds plugins in a build that writes no index.json, ignores what the unsigned file says, and refuses a file that is not one', async () => {
    const root = await createTemporaryFolder();
    cleanups.push(() => rm(root, { recursive: true, force: true }));
    const archives = join(root, 'archives-in');
    const output = join(root, 'site');
    await mkdir(archives, { recursive: true });
    await writeArchive(archives, 'com.example.alpha', '1.0.0');
    await writeArchive(archives, 'com.example.beta', '1.0.0');
    await buildStaticMarketplace({
      archivesDirectory: archives,
      outputDirectory: output,
      signingKey: keys,
      validator: false,
    });
    const file = JSON.parse(await readFile(join(output, 'v2', 'search.json'), 'utf8'));
    expect(file.plugins.map((plugin: { plugin_id: string }) => plugin.plugin_id)).toEqual([
      'com.example.alpha',
      'com.example.beta',
    ]);
    // The builder writes protocol v2 only: there is no index to fall back on.
    expect(await pathExists(join(output, 'index.json'))).toBe(false);
    const host = await startStaticFileServer(output);
    cleanups.push(() => host.close());
    const open = (name: string) => {
      const registry = new PluginRegistry({
        pluginDirectory: join(root, name, 'plugins'),
        cacheDirectory: join(root, name, 'cache'),
        marketplaceUrl: host.url,
        trustedKeys: [keys.publicKey],
        retries: 0,
      });
      cleanups.push(() => registry.close());
      return registry;
    };
    const [hit, ...others] = await open('honest').searchMarketplace({ query: 'alpha' });
    expect(others).toEqual([]);
    expect(hit).toMatchObject({ plugin_id: 'com.example.alpha', name: 'alpha', version: '1.0.0' });

    // A host that rewrites the unsigned file can reorder results, not change them or add plugins.
    await writeFile(
      join(output, 'v2', 'search.json'),
      JSON.stringify({
        _type: 'agentplug-search',
        plugins: [
          { ...file.plugins[1], name: 'alpha (the real one)', description: 'install me' },
          { ...file.plugins[0], plugin_id: 'com.example.ghost' },
          {
            plugin_id: '../../etc',
            name: 'alpha',
            description: '',
            plugin_type: 'tool',
            tags: [],
            author: '',
          },
        ],
      }),
    );
    const tampered = await open('tampered').searchMarketplace({ query: 'alpha' });
    expect(tampered).toEqual([
      expect.objectContaining({
        plugin_id: 'com.example.beta',
        name: 'beta',
        description: 'The com.example.beta test plugin',
      }),
    ]);

    await writeFile(join(output, 'v2', 'search.json'), '<html>not found</html>');
    const error = await open('broken')
      .searchMarketplace({ query: 'alpha' })
      .catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INDEX_INVALID')).toBe(true);
  });
});
