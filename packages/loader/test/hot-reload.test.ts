import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader, type ReloadEvent } from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

const versionSource = (label: string) => `
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async which() { return '${label}'; }
}
`;

const capabilities = [{ name: 'which' }];

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;

beforeEach(async () => {
  directory = await createPluginDirectory();
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
});

/** The next 'reload' event of the loader. */
function nextReload(target: PluginLoader): Promise<ReloadEvent> {
  return new Promise((resolve) => {
    const stop = target.on('reload', (event) => {
      stop();
      resolve(event);
    });
  });
}

describe('hot reload', () => {
  it('reloads on a real file edit; a broken edit leaves the old instance serving; a fix brings the new code', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, watch: { debounceMs: 30 } });
    await loader.loadPlugin('com.test.live', { config: { config: { greeting: 'kept' } } });
    await loader.activatePlugin('com.test.live');
    expect(await loader.invoke('com.test.live', 'which')).toBe('v1');

    let reload = nextReload(loader);
    await writeFile(join(folder, 'main.mjs'), versionSource('v2'));
    let event = await reload;
    expect(event).toMatchObject({ pluginId: 'com.test.live', ok: true, triggeredByWatcher: true });
    expect(await loader.invoke('com.test.live', 'which')).toBe('v2');
    const state = loader.getPluginState('com.test.live');
    expect(state?.status).toBe('active');
    expect(state?.config.config).toEqual({ greeting: 'kept' });

    reload = nextReload(loader);
    await writeFile(join(folder, 'main.mjs'), 'export class Plugin { which() { return ');
    event = await reload;
    expect(event.ok).toBe(false);
    expect(PluginError.is(event.error, 'LOAD_FAILED')).toBe(true);
    expect(state?.status).toBe('active');
    expect(state?.error).toBe(event.error);
    expect(await loader.invoke('com.test.live', 'which')).toBe('v2');
    expect(loader.listCapabilities().map((entry) => entry.capability.name)).toEqual(['which']);

    reload = nextReload(loader);
    await writeFile(join(folder, 'main.mjs'), versionSource('v3'));
    event = await reload;
    expect(event.ok).toBe(true);
    expect(state?.error).toBeNull();
    expect(await loader.invoke('com.test.live', 'which')).toBe('v3');
  });

  it('watches a plugin whose first load failed, and loads it once its files are fixed', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': 'export class Plugin {' },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, watch: { debounceMs: 30 } });
    const error = await loader.loadPlugin('com.test.live').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'LOAD_FAILED')).toBe(true);
    const reload = nextReload(loader);
    await writeFile(join(folder, 'main.mjs'), versionSource('fixed'));
    const event = await reload;
    expect(event).toMatchObject({ pluginId: 'com.test.live', ok: true, triggeredByWatcher: true });
    expect(loader.getPluginState('com.test.live')?.status).toBe('loaded');
  });

  it('keeps the old instance when the edited manifest is broken', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, watch: { debounceMs: 30 } });
    await loader.loadPlugin('com.test.live');
    await loader.activatePlugin('com.test.live');
    const reload = nextReload(loader);
    await writeFile(join(folder, 'plugin.json'), '{ "plugin_id": "com.test.live", ');
    const event = await reload;
    expect(event.ok).toBe(false);
    expect(PluginError.is(event.error, 'MANIFEST_UNREADABLE')).toBe(true);
    expect(await loader.invoke('com.test.live', 'which')).toBe('v1');
  });

  it("reloadPlugin rejects with the new code's error and keeps the old instance (without a watcher)", async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await loader.loadPlugin('com.test.live');
    await loader.activatePlugin('com.test.live');
    await writeFile(
      join(folder, 'main.mjs'),
      'export class Plugin { initialize() { throw new Error("new code broke"); } which() { return "v2"; } }',
    );
    const events: ReloadEvent[] = [];
    loader.on('reload', (event) => events.push(event));
    const error = await loader.reloadPlugin('com.test.live').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'HOOK_FAILED')).toBe(true);
    expect(events).toMatchObject([{ pluginId: 'com.test.live', ok: false, triggeredByWatcher: false }]);
    expect(loader.getPluginState('com.test.live')?.status).toBe('active');
    expect(await loader.invoke('com.test.live', 'which')).toBe('v1');
  });

  it("fails the plugin when the new code's activate() throws after the swap, and says so", async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await loader.loadPlugin('com.test.live');
    await loader.activatePlugin('com.test.live');
    await writeFile(
      join(folder, 'main.mjs'),
      'export class Plugin { activate() { throw new Error("cannot start"); } which() { return "v2"; } }',
    );
    const reasons: string[] = [];
    loader.on('capabilitiesChanged', (event) => reasons.push(event.reason));
    const reload = nextReload(loader);
    const error = await loader.reloadPlugin('com.test.live').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'HOOK_FAILED')).toBe(true);
    expect((await reload).ok).toBe(false);
    expect(loader.getPluginState('com.test.live')?.status).toBe('failed');
    expect(reasons).toEqual(['failed']);
    expect(loader.listCapabilities()).toEqual([]);
  });

  it('purges CommonJS modules from the require cache, so a required helper reloads too', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.commonjs',
      manifest: { capabilities },
      files: {
        'main.cjs':
          'const helper = require("./helper.cjs"); exports.Plugin = class { which() { return helper.label; } };',
        'helper.cjs': 'exports.label = "first";',
      },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await loader.loadPlugin('com.test.commonjs');
    await loader.activatePlugin('com.test.commonjs');
    expect(await loader.invoke('com.test.commonjs', 'which')).toBe('first');
    await writeFile(join(folder, 'helper.cjs'), 'exports.label = "second";');
    await loader.reloadPlugin('com.test.commonjs');
    expect(await loader.invoke('com.test.commonjs', 'which')).toBe('second');
  });

  it('reloads an INACTIVE plugin back to INACTIVE and a FAILED one to LOADED', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await loader.loadPlugin('com.test.live');
    await loader.activatePlugin('com.test.live');
    await loader.deactivatePlugin('com.test.live');
    expect((await loader.reloadPlugin('com.test.live')).status).toBe('inactive');

    await writeFile(
      join(folder, 'main.mjs'),
      'export class Plugin { activate() { throw new Error("no"); } }',
    );
    await loader.reloadPlugin('com.test.live');
    await loader.activatePlugin('com.test.live').catch(() => undefined);
    expect(loader.getPluginState('com.test.live')?.status).toBe('failed');
    await writeFile(join(folder, 'main.mjs'), versionSource('fixed'));
    expect((await loader.reloadPlugin('com.test.live')).status).toBe('loaded');
  });

  it('stops watching when the plugin is unloaded and when the loader closes', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.live',
      manifest: { capabilities },
      files: { 'main.mjs': versionSource('v1') },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, watch: { debounceMs: 10 } });
    const events: ReloadEvent[] = [];
    loader.on('reload', (event) => events.push(event));
    await loader.loadPlugin('com.test.live');
    await loader.unloadPlugin('com.test.live');
    await writeFile(join(folder, 'main.mjs'), versionSource('v2'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(events).toEqual([]);
  });
});
