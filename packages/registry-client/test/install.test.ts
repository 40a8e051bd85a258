import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, readManifest } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { PluginRegistry, packPlugin } from '../src/index';
import { createTemporaryFolder, snapshotFolder, writePluginFolder } from './helpers/plugin-fixtures';

const ID = 'com.example.local';

async function setup() {
  const root = await createTemporaryFolder();
  const pluginDirectory = join(root, 'plugins');
  const registry = new PluginRegistry({
    pluginDirectory,
    cacheDirectory: join(root, 'cache'),
    runtimeVersion: '1.5.0',
  });
  return { root, pluginDirectory, registry };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

describe('installPlugin from local folders and archives', () => {
  it('installs, records the lock file entry, lists and uninstalls', async () => {
    const { root, pluginDirectory, registry } = await setup();
    const folder = await writePluginFolder(root, {
      plugin_id: ID,
      version: '1.0.0',
      permissions: { network_hosts: ['api.example.com'] },
    });
    await registry.installPlugin(ID, folder, { validate: false });
    const lock = JSON.parse(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8'));
    expect(lock.lockfile_version).toBe(2);
    const packed = await packPlugin(folder);
    expect(lock.plugins[ID]).toMatchObject({
      version: '1.0.0',
      range: '1.0.0',
      requested: true,
      sha256: packed.sha256,
      size: packed.size,
      source: `file:${folder}`,
      key_id: null,
      config_sha256: null,
    });
    expect(lock.plugins[ID].permissions.network_hosts).toEqual(['api.example.com']);
    expect((await registry.listInstalledPlugins()).map((plugin) => plugin.plugin_id)).toEqual([ID]);
    await registry.uninstallPlugin(ID);
    expect(await registry.listInstalledPlugins()).toEqual([]);
    expect((await registry.readLockFile()).plugins[ID]).toBeUndefined();
    expect(await codeOf(registry.uninstallPlugin(ID))).toBe('PLUGIN_NOT_FOUND');
  });

  it('refuses to uninstall a plugin another installed plugin requires, unless forced', async () => {
    const { root, pluginDirectory, registry } = await setup();
    const library = 'com.example.library';
    await registry.installPlugin(
      library,
      await writePluginFolder(root, { plugin_id: library, version: '2.0.0' }),
      {
        validate: false,
      },
    );
    const dependent = await writePluginFolder(root, {
      plugin_id: ID,
      version: '1.0.0',
      dependencies: [{ plugin_id: library, version_constraint: '>=2.0.0' }],
    });
    await registry.installPlugin(ID, dependent, { validate: false });
    const before = await snapshotFolder(pluginDirectory);

    const refused = await registry.uninstallPlugin(library).catch((error: unknown) => error);
    expect(PluginError.is(refused, 'DEPENDENTS_INSTALLED')).toBe(true);
    expect((refused as PluginError).message).toContain(`${ID}@1.0.0`);
    expect(await snapshotFolder(pluginDirectory)).toEqual(before);

    await registry.uninstallPlugin(library, { force: true });
    expect((await registry.listInstalledPlugins()).map((plugin) => plugin.plugin_id)).toEqual([ID]);
  });

  it('installs from a packed .tgz and refuses an id mismatch with INVALID_ARGUMENT', async () => {
    const { root, pluginDirectory, registry } = await setup();
    const { archivePath } = await packPlugin(
      await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }),
      {
        outputDirectory: root,
      },
    );
    expect(
      await codeOf(registry.installPlugin('com.example.wrong', archivePath ?? '', { validate: false })),
    ).toBe('INVALID_ARGUMENT');
    await registry.installPlugin(ID, archivePath ?? '', { validate: false });
    expect((await readManifest(join(pluginDirectory, ID))).manifest.version).toBe('1.0.0');
  });

  it('refuses an update asking for more permissions with PERMISSIONS_ESCALATED unless approved', async () => {
    const { root, pluginDirectory, registry } = await setup();
    await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
      validate: false,
    });
    const before = await snapshotFolder(pluginDirectory);
    const greedy = await writePluginFolder(root, {
      plugin_id: ID,
      version: '2.0.0',
      permissions: { environment_variables: ['AWS_SECRET_ACCESS_KEY'] },
    });
    expect(await codeOf(registry.installPlugin(ID, greedy, { validate: false }))).toBe(
      'PERMISSIONS_ESCALATED',
    );
    expect(await snapshotFolder(pluginDirectory)).toEqual(before);
    await registry.installPlugin(ID, greedy, { validate: false, approvePermissions: true });
    expect((await registry.readLockFile()).plugins[ID]?.permissions.environment_variables).toEqual([
      'AWS_SECRET_ACCESS_KEY',
    ]);
  });

  it('refuses a plugin outside the runtime bounds with INCOMPATIBLE', async () => {
    const { root, pluginDirectory, registry } = await setup();
    const folder = await writePluginFolder(root, {
      plugin_id: ID,
      version: '1.0.0',
      min_runtime_version: '2.0.0',
    });
    expect(await codeOf(registry.installPlugin(ID, folder, { validate: false }))).toBe('INCOMPATIBLE');
    // only the (empty) lock and staging folders of the work area may exist
    expect(await snapshotFolder(pluginDirectory)).toEqual({
      '.agentplug/': '',
      '.agentplug/locks/': '',
      '.agentplug/staging/': '',
    });
  });

  it('refuses a second concurrent install of one plugin with INSTALL_LOCKED', async () => {
    const { root, registry } = await setup();
    const folder = await writePluginFolder(
      root,
      { plugin_id: ID, version: '1.0.0' },
      { 'big.bin': Buffer.alloc(4_000_000) },
    );
    const results = await Promise.all([
      codeOf(registry.installPlugin(ID, folder, { validate: false })),
      codeOf(registry.installPlugin(ID, folder, { validate: false })),
    ]);
    expect(results.sort()).toEqual(['INSTALL_LOCKED', 'resolved']);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    const { root, pluginDirectory, registry } = await setup();
    await mkdir(join(pluginDirectory, '.agentplug', 'locks'), { recursive: true });
    await writeFile(join(pluginDirectory, '.agentplug', 'locks', `${ID}.lock`), '999999999');
    await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
      validate: false,
    });
    expect((await readManifest(join(pluginDirectory, ID))).manifest.version).toBe('1.0.0');
  });

  it('after a kill mid-install (staging left, old version moved aside), the next start restores the old version', async () => {
    const { root, pluginDirectory, registry } = await setup();
    await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
      validate: false,
    });
    // Simulate a process (pid 999999999, not running) killed between moving 1.0.0 aside and moving 2.0.0 in.
    const work = join(pluginDirectory, '.agentplug');
    await mkdir(join(work, 'backup'), { recursive: true });
    await rename(join(pluginDirectory, ID), join(work, 'backup', ID));
    const staging = join(work, 'staging', `${ID}-999999999-abcdef`);
    await mkdir(staging, { recursive: true });
    await writeFile(join(staging, 'plugin.json'), '{"half": "written');
    const next = new PluginRegistry({ pluginDirectory, cacheDirectory: join(root, 'cache') });
    const installed = await next.listInstalledPlugins();
    expect(installed.map((plugin) => `${plugin.plugin_id}@${plugin.version}`)).toEqual([`${ID}@1.0.0`]);
    expect(await snapshotFolder(join(work, 'staging'))).toEqual({});
    expect(await snapshotFolder(join(work, 'backup'))).toEqual({});
  });

  it('after a kill before the lock file recorded the new version, the next start rolls back to the old one', async () => {
    const { root, pluginDirectory, registry } = await setup();
    await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
      validate: false,
    });
    const work = join(pluginDirectory, '.agentplug');
    await mkdir(join(work, 'backup'), { recursive: true });
    await rename(join(pluginDirectory, ID), join(work, 'backup', ID));
    const newer = await writePluginFolder(root, { plugin_id: ID, version: '2.0.0' });
    await rename(newer, join(pluginDirectory, ID));
    const next = new PluginRegistry({ pluginDirectory, cacheDirectory: join(root, 'cache') });
    expect((await next.listInstalledPlugins()).map((plugin) => plugin.version)).toEqual(['1.0.0']);
    expect((await next.readLockFile()).plugins[ID]?.version).toBe('1.0.0');
  });

  it('with enableMarketplace: false, marketplace calls fail with MARKETPLACE_DISABLED and local ones work', async () => {
    const { root, pluginDirectory } = await setup();
    const registry = new PluginRegistry({
      pluginDirectory,
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: 'http://127.0.0.1:9/',
      enableMarketplace: false,
    });
    expect(await codeOf(registry.searchMarketplace({ query: 'x' }))).toBe('MARKETPLACE_DISABLED');
    expect(await codeOf(registry.downloadPlugin(ID, { validate: false }))).toBe('MARKETPLACE_DISABLED');
    expect(await codeOf(registry.checkUpdates())).toBe('MARKETPLACE_DISABLED');
    expect(await codeOf(registry.install(ID))).toBe('MARKETPLACE_DISABLED');
    await registry.installPlugin(ID, await writePluginFolder(root, { plugin_id: ID, version: '1.0.0' }), {
      validate: false,
    });
    expect(await registry.listInstalledPlugins()).toHaveLength(1);
  });

  it('refuses plugin ids that are not reverse-DNS with INVALID_ARGUMENT', async () => {
    const { registry } = await setup();
    expect(await codeOf(registry.installPlugin('../escape', '/tmp'))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(registry.uninstallPlugin('..'))).toBe('INVALID_ARGUMENT');
  });
});
