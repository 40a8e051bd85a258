import { cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InstallPlan, packPlugin } from '../src/index';
import { startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder, snapshotFolder, writePluginFolder } from './helpers/plugin-fixtures';
import {
  catalogOf,
  createSignedMarketplace,
  openRegistry,
  type PublishedPlugin,
  publishPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

// What a host operator relies on: configuration that survives updates, consent that compares with
// what was granted, a lock file that pins and restores, and local installs recorded like any other.

const GREETER = 'com.example.greeter';
const HELPER = 'com.example.helper';
const schema = (extra: Record<string, unknown> = {}) => ({
  type: 'object',
  properties: { greeting: { type: 'string', default: 'Hello' }, ...extra },
});

let server: TestServer;
let marketplace: SignedMarketplace;
let root: string;
const published: Record<string, PublishedPlugin> = {};

async function publish(
  key: string,
  manifest: Parameters<typeof publishPlugin>[1],
  files: Record<string, string> = {},
): Promise<void> {
  published[key] = await publishPlugin(root, manifest, files);
}

/** Signs these versions as the whole catalog (a new snapshot and timestamp each time) and serves them. */
function serve(...keys: string[]): void {
  const chosen = keys.map((key) => published[key] as PublishedPlugin);
  marketplace.serve(catalogOf(chosen), chosen);
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (PluginError.is(error) ? error.code : String(error)),
  );
}

beforeAll(async () => {
  server = await startTestServer(() => false);
  marketplace = createSignedMarketplace(server);
  root = await createTemporaryFolder();
  const shipped = (greeting: string) => JSON.stringify({ plugin_id: GREETER, config: { greeting } });
  await publish(
    '1.0.0',
    { plugin_id: GREETER, version: '1.0.0', config_schema: schema() },
    { 'config.json': shipped('Hello') },
  );
  await publish(
    '1.1.0',
    {
      plugin_id: GREETER,
      version: '1.1.0',
      config_schema: schema({ punctuation: { type: 'string', default: '!' } }),
    },
    { 'config.json': shipped('Hi') },
  );
  // 1.2.0 makes the greeting a number: an operator's "Bonjour" no longer fits.
  await publish('1.2.0', {
    plugin_id: GREETER,
    version: '1.2.0',
    config_schema: { type: 'object', properties: { greeting: { type: 'integer' } } },
  });
  await publish('1.3.0', {
    plugin_id: GREETER,
    version: '1.3.0',
    config_schema: schema(),
    permissions: { network_hosts: ['api.example.com'], environment_variables: ['GREETER_TOKEN'] },
  });
  await publish('2.0.0', { plugin_id: GREETER, version: '2.0.0', config_schema: schema() });
  await publish('helper', {
    plugin_id: HELPER,
    version: '1.0.0',
    permissions: { filesystem_read: ['/tmp'] },
  });
  await publish('1.4.0-helper', {
    plugin_id: GREETER,
    version: '1.4.0',
    config_schema: schema(),
    dependencies: [{ plugin_id: HELPER, version_constraint: '^1.0.0' }],
  });
});

afterAll(() => server.close());

/** The plugin directory's files, without the registry's own work folder (locks, staging). */
async function snapshotPlugins(folder: string): Promise<Record<string, string>> {
  const files = await snapshotFolder(join(folder, 'plugins'));
  for (const key of Object.keys(files)) if (key.startsWith('.agentplug/')) delete files[key];
  return files;
}

async function createCase(): Promise<string> {
  const folder = await createTemporaryFolder();
  await mkdir(join(folder, 'plugins'));
  return folder;
}

describe('operator configuration survives updates', () => {
  it('keeps the operator file, and values edited into config.json in place, across an update', async () => {
    serve('1.0.0', '1.1.0');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { range: '1.0.0', validate: false });
    // The operator edits the installed config.json in place, as the seed's docs used to say.
    const inPlace = join(folder, 'plugins', GREETER, 'config.json');
    await writeFile(inPlace, JSON.stringify({ plugin_id: GREETER, config: { greeting: 'Bonjour' } }));
    await registry.install(GREETER, { version: '1.1.0', range: '^1.0.0', validate: false, update: true });
    const operatorPath = registry.getOperatorConfigPath(GREETER);
    expect(operatorPath).toBe(join(folder, 'plugins', 'agentplug-config', `${GREETER}.json`));
    expect(JSON.parse(await readFile(operatorPath, 'utf8')).config).toEqual({ greeting: 'Bonjour' });
    const config = await registry.readInstalledConfig(GREETER);
    expect(config.version).toBe('1.1.0');
    // The new version's defaults fill in what the operator did not set.
    expect(config.effective.config).toEqual({ greeting: 'Bonjour', punctuation: '!' });
    // The folder holds what 1.1.0 shipped; the operator's values live beside the lock file.
    expect(JSON.parse(await readFile(inPlace, 'utf8')).config).toEqual({ greeting: 'Hi' });
    await registry.close();
  });

  it('refuses an update whose config_schema refuses the operator value, with the reason on the first line, and changes nothing', async () => {
    serve('1.1.0', '1.2.0');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { range: '1.1.0', validate: false });
    await registry.writeOperatorConfig(GREETER, { config: { greeting: 'Bonjour' } });
    const before = await snapshotPlugins(folder);
    const error = await registry
      .install(GREETER, { version: '1.2.0', range: '^1.0.0', validate: false, update: true })
      .catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message.split('\n')[0]).toBe(
      `${GREETER} 1.2.0 was not installed, nothing changed: the configuration of ${GREETER} (operator settings in ${registry.getOperatorConfigPath(GREETER)}) is invalid: $.config.greeting: must be integer`,
    );
    expect(await snapshotPlugins(folder)).toEqual(before);
    await registry.close();
  });

  it('writeOperatorConfig checks the installed schema and refuses an unknown key with a did-you-mean, writing nothing', async () => {
    serve('1.1.0');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { validate: false });
    const before = await snapshotPlugins(folder);
    expect(await codeOf(registry.writeOperatorConfig(GREETER, { config: { greeting: 3 } }))).toBe(
      'CONFIG_INVALID',
    );
    const typo = await registry
      .writeOperatorConfig(GREETER, { greeting: 'x' } as never)
      .catch((caught: unknown) => caught as Error);
    expect((typo as Error).message).toContain('did you mean "config.greeting"?');
    expect(await snapshotPlugins(folder)).toEqual(before);
    const written = await registry.writeOperatorConfig(GREETER, { priority: 4, config: { greeting: 'Hej' } });
    expect(written.effective).toMatchObject({ priority: 4, config: { greeting: 'Hej', punctuation: '!' } });
    await registry.close();
  });

  it('carries a version 1 lock file directory over on first use: edited config.json values move to the operator file', async () => {
    serve('1.0.0', '1.1.0');
    const folder = await createCase();
    const first = openRegistry(folder, server, marketplace);
    await first.install(GREETER, { range: '1.0.0', validate: false });
    await first.close();
    // Rewrite the directory as an older client left it: a version 1 lock file and an edited config.json.
    const lockPath = join(folder, 'plugins', 'agentplug-lock.json');
    const lock = JSON.parse(await readFile(lockPath, 'utf8'));
    const entry = lock.plugins[GREETER];
    const legacy = {
      lockfile_version: 1,
      plugins: {
        [GREETER]: {
          version: entry.version,
          sha256: entry.sha256,
          source: entry.source,
          permissions: entry.permissions,
          installed_at: entry.installed_at,
        },
      },
    };
    await writeFile(lockPath, JSON.stringify(legacy));
    await writeFile(
      join(folder, 'plugins', GREETER, 'config.json'),
      JSON.stringify({ plugin_id: GREETER, config: { greeting: 'Salut' } }),
    );
    const registry = openRegistry(folder, server, marketplace);
    expect((await registry.readLockFile()).plugins[GREETER]?.range).toBe('^1.0.0');
    const migrated = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(migrated.lockfile_version).toBe(2);
    expect(JSON.parse(await readFile(registry.getOperatorConfigPath(GREETER), 'utf8')).config).toEqual({
      greeting: 'Salut',
    });
    await registry.install(GREETER, { version: '1.1.0', range: '^1.0.0', validate: false, update: true });
    expect((await registry.readInstalledConfig(GREETER)).effective.config.greeting).toBe('Salut');
    await registry.close();
  });
});

describe('consent shows the difference and the registry enforces it', () => {
  it('an update that widens permissions is refused without approval, before any download, and nothing changes', async () => {
    serve('1.1.0', '1.3.0');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { range: '1.1.0', validate: false });
    const before = await snapshotPlugins(folder);
    let shown: InstallPlan | undefined;
    const refused = await registry
      .install(GREETER, {
        version: '1.3.0',
        range: '^1.0.0',
        update: true,
        validate: false,
        confirm: (plan) => {
          shown = plan;
          return true;
        },
      })
      .catch((caught: unknown) => caught as PluginError);
    expect(PluginError.is(refused, 'PERMISSIONS_ESCALATED')).toBe(true);
    expect((refused as Error).message.split('\n')[0]).toContain(
      `${GREETER}@1.3.0 adds environment_variables: GREETER_TOKEN; network_hosts: api.example.com`,
    );
    expect(shown?.widens).toBe(true);
    expect(shown?.steps[0]).toMatchObject({
      action: 'update',
      installedVersion: '1.1.0',
      newPermissions: { environment_variables: ['GREETER_TOKEN'], network_hosts: ['api.example.com'] },
      widens: true,
    });
    expect(await snapshotPlugins(folder)).toEqual(before);
    expect(server.requests.filter((path) => path.startsWith('/archives/') && path.includes('1.3.0'))).toEqual(
      [],
    );
    // An interactive "yes" to the widened plan approves it; the lock file then records what was granted.
    await registry.install(GREETER, {
      version: '1.3.0',
      range: '^1.0.0',
      update: true,
      validate: false,
      confirm: () => ({ approvePermissions: true }),
    });
    const entry = (await registry.readLockFile()).plugins[GREETER];
    expect(entry?.permissions.network_hosts).toEqual(['api.example.com']);
    // Going back down drops them: the plan says so, and it does not widen.
    serve('1.3.0', '2.0.0');
    const plan = await registry.planInstall(GREETER, { version: '2.0.0', update: true });
    expect(plan.steps[0]).toMatchObject({
      droppedPermissions: { environment_variables: ['GREETER_TOKEN'], network_hosts: ['api.example.com'] },
      newPermissions: {},
      widens: false,
    });
    await registry.install(GREETER, { version: '2.0.0', range: '^2.0.0', update: true, validate: false });
    expect((await registry.readLockFile()).plugins[GREETER]?.permissions.network_hosts).toEqual([]);
    await registry.close();
  });

  it('an update bringing a new dependency with permissions widens; a first install of it does not', async () => {
    serve('1.1.0', '1.4.0-helper', 'helper');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { range: '1.1.0', validate: false });
    const update = await registry.planInstall(GREETER, { version: '1.4.0', update: true });
    expect(update.steps.map((step) => [step.pluginId, step.action, step.widens])).toEqual([
      [HELPER, 'install', true],
      [GREETER, 'update', false],
    ]);
    expect(await codeOf(registry.install(GREETER, { version: '1.4.0', update: true, validate: false }))).toBe(
      'PERMISSIONS_ESCALATED',
    );
    const other = openRegistry(await createCase(), server, marketplace);
    const install = await other.planInstall(GREETER, { version: '1.4.0' });
    expect(install.widens).toBe(false);
    await Promise.all([registry.close(), other.close()]);
  });
});

describe('a lock file that locks', () => {
  it('records range, integrity, key id and permissions, and updates stay inside the range unless latest', async () => {
    serve('1.0.0', '1.1.0', '2.0.0');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { range: '~1.0.0', validate: false });
    const entry = (await registry.readLockFile()).plugins[GREETER];
    expect(entry).toMatchObject({
      version: '1.0.0',
      range: '~1.0.0',
      requested: true,
      sha256: published['1.0.0']?.sha256,
      size: published['1.0.0']?.size,
      source: server.url.endsWith('/') ? server.url : `${server.url}/`,
      key_id: expect.stringMatching(/^[0-9a-f]{16,}$/),
    });
    expect(await registry.checkUpdates()).toEqual([]);
    expect(await registry.findHeldBackUpdates()).toEqual([
      { pluginId: GREETER, currentVersion: '1.0.0', latestVersion: '2.0.0', range: '~1.0.0' },
    ]);
    expect(await registry.checkUpdates({ latest: true })).toEqual([
      { pluginId: GREETER, currentVersion: '1.0.0', availableVersion: '2.0.0', range: '*' },
    ]);
    await registry.close();
  });

  it('restores onto an empty folder byte for byte, removes what the lock file does not list, and refuses drift', async () => {
    serve('1.1.0', 'helper');
    const source = await createCase();
    const registry = openRegistry(source, server, marketplace);
    await registry.install(GREETER, { validate: false });
    await registry.install(HELPER, { validate: false });
    const localFolder = await writePluginFolder(root, { plugin_id: 'com.example.local', version: '0.1.0' });
    await registry.installLocal(localFolder, { validate: false });
    await registry.close();
    const expected = await snapshotPlugins(source);

    const target = await createCase();
    await cp(join(source, 'plugins', 'agentplug-lock.json'), join(target, 'plugins', 'agentplug-lock.json'));
    await writePluginFolder(join(target, 'plugins'), { plugin_id: 'com.example.stray', version: '1.0.0' });
    const restorer = openRegistry(target, server, marketplace, { cacheDirectory: join(target, 'cache') });
    const result = await restorer.installFromLockFile({ validate: false });
    expect(result.installed.map((item) => item.pluginId)).toEqual([
      'com.example.greeter',
      'com.example.helper',
      'com.example.local',
    ]);
    expect(result.removed).toHaveLength(1);
    expect(await snapshotPlugins(target)).toEqual(expected);
    // A second run finds everything in place and changes nothing.
    expect((await restorer.installFromLockFile({ validate: false })).installed).toEqual([]);

    // The marketplace now serves other bytes for the locked version: refused, nothing changed.
    const tampered = await publishPlugin(root, {
      plugin_id: GREETER,
      version: '1.1.0',
      description: 'not the same',
    });
    marketplace.serve(catalogOf([tampered, published.helper as PublishedPlugin]), [tampered]);
    const empty = await createCase();
    await cp(join(source, 'plugins', 'agentplug-lock.json'), join(empty, 'plugins', 'agentplug-lock.json'));
    const before = await snapshotPlugins(empty);
    const drifted = openRegistry(empty, server, marketplace, { cacheDirectory: join(empty, 'cache') });
    expect(await codeOf(drifted.installFromLockFile({ validate: false }))).toBe('INTEGRITY_MISMATCH');
    expect(await snapshotPlugins(empty)).toEqual(before);
    // A local source that changed since it was locked: refused too.
    serve('1.1.0', 'helper');
    await writeFile(join(localFolder, 'main.js'), 'export class Plugin {}\n');
    expect(await codeOf(drifted.installFromLockFile({ validate: false }))).toBe('INTEGRITY_MISMATCH');
    expect(await snapshotPlugins(empty)).toEqual(before);
    await Promise.all([restorer.close(), drifted.close()]);
  });

  it('refuses to restore without a lock file', async () => {
    const registry = openRegistry(await createCase(), server, marketplace);
    expect(await codeOf(registry.installFromLockFile())).toBe('INVALID_ARGUMENT');
    await registry.close();
  });
});

describe('local installs', () => {
  it('installs a .tgz and a folder after showing the plan, recording file: sources with their hash', async () => {
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    const plugin = await writePluginFolder(root, {
      plugin_id: 'com.example.offline',
      version: '1.0.0',
      permissions: { network_hosts: ['offline.example'] },
    });
    const packed = await packPlugin(plugin);
    const archive = join(root, 'offline-1.0.0.tgz');
    await writeFile(archive, packed.archive);
    let shown: InstallPlan | undefined;
    await registry.installLocal(archive, {
      validate: false,
      confirm: (plan) => {
        shown = plan;
        return true;
      },
    });
    expect(shown?.steps[0]).toMatchObject({
      action: 'install',
      newPermissions: { network_hosts: ['offline.example'] },
      widens: false,
    });
    expect((await registry.readLockFile()).plugins['com.example.offline']).toMatchObject({
      source: `file:${archive}`,
      sha256: packed.sha256,
      size: packed.size,
      range: '1.0.0',
      key_id: null,
    });
    // A newer local version asking for more is refused without approval, and declined is declined.
    const wider = await writePluginFolder(root, {
      plugin_id: 'com.example.offline',
      version: '1.1.0',
      permissions: { network_hosts: ['offline.example', 'more.example'] },
    });
    const before = await snapshotPlugins(folder);
    expect(await codeOf(registry.installLocal(wider, { validate: false, confirm: () => true }))).toBe(
      'PERMISSIONS_ESCALATED',
    );
    expect(await codeOf(registry.installLocal(wider, { validate: false, confirm: () => false }))).toBe(
      'DECLINED',
    );
    expect(await snapshotPlugins(folder)).toEqual(before);
    await registry.installLocal(wider, { validate: false, approvePermissions: true });
    expect((await registry.readLockFile()).plugins['com.example.offline']).toMatchObject({
      version: '1.1.0',
      source: `file:${wider}`,
      sha256: (await packPlugin(wider)).sha256,
    });
    await rm(archive);
    await registry.close();
  });

  it('refuses a local plugin whose dependencies are not installed, and a path that is not there', async () => {
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    const needy = await writePluginFolder(root, {
      plugin_id: 'com.example.needy',
      version: '1.0.0',
      dependencies: [{ plugin_id: HELPER, version_constraint: '^1.0.0' }],
    });
    const error = (await registry
      .installLocal(needy, { validate: false })
      .catch((caught: unknown) => caught)) as Error;
    expect(PluginError.is(error, 'DEPENDENCY_UNRESOLVED')).toBe(true);
    expect(error.message).toContain(`${HELPER}@^1.0.0`);
    expect(await codeOf(registry.installLocal(join(root, 'nothing-here.tgz')))).toBe('INVALID_ARGUMENT');
    expect(Object.keys(await snapshotPlugins(folder))).toEqual([]);
    await registry.close();
  });
});

describe('an install that keeps the installed version brings its lock file entry up to date', () => {
  it('records the range asked and the key the marketplace now vouches for the locked bytes with; other bytes keep their key', async () => {
    serve('1.0.0', 'helper', '1.4.0-helper');
    const folder = await createCase();
    const registry = openRegistry(folder, server, marketplace);
    await registry.install(GREETER, { version: '1.4.0', range: '^1.4.0', validate: false });
    const lockPath = join(folder, 'plugins', 'agentplug-lock.json');
    const signedKey = (await registry.readLockFile()).plugins[GREETER]?.key_id;
    // As if both were locked under a key the marketplace no longer uses, and the helper for other bytes.
    const lock = JSON.parse(await readFile(lockPath, 'utf8'));
    lock.plugins[GREETER].key_id = 'a-key-of-before';
    lock.plugins[HELPER].key_id = 'a-key-of-before';
    lock.plugins[HELPER].sha256 = '0'.repeat(64);
    await writeFile(lockPath, JSON.stringify(lock));

    const result = await registry.install(GREETER, { range: '~1.4.0', validate: false });
    expect(result.installed).toEqual([]);
    expect(result.relocked).toEqual([{ pluginId: GREETER, version: '1.4.0' }]);
    const entries = (await registry.readLockFile()).plugins;
    expect(entries[GREETER]).toMatchObject({ range: '~1.4.0', key_id: signedKey, requested: true });
    expect(entries[HELPER]).toMatchObject({
      key_id: 'a-key-of-before',
      sha256: '0'.repeat(64),
      requested: false,
    });
    // Nothing to bring up to date: the lock file is not written.
    const before = await readFile(lockPath, 'utf8');
    expect((await registry.install(GREETER, { validate: false })).relocked).toEqual([]);
    expect(await readFile(lockPath, 'utf8')).toBe(before);
    await registry.close();
  });
});
