import { PluginError, type PluginStatus } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader, type StateChangeEvent } from '../src/index';
import {
  createPluginDirectory,
  echoCapability,
  simplePluginSource,
  type TemporaryPluginDirectory,
  takeRecordedCalls,
} from './helpers/plugin-folders';

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;
let events: StateChangeEvent[];

beforeEach(async () => {
  directory = await createPluginDirectory();
  loader = new PluginLoader({ pluginDirectory: directory.path });
  events = [];
  loader.on('stateChange', (event) => events.push(event));
  takeRecordedCalls();
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
});

async function rejection(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!PluginError.is(error)) throw new Error(`expected a PluginError, got ${String(error)}`);
  return error;
}

describe('valid transitions', () => {
  it('runs each hook once, in order, with an event per transition and timings', async () => {
    await directory.writePlugin({ id: 'com.test.simple' });
    await loader.loadPlugin('com.test.simple');
    await loader.activatePlugin('com.test.simple');
    await loader.deactivatePlugin('com.test.simple');
    await loader.activatePlugin('com.test.simple');
    await loader.unloadPlugin('com.test.simple');
    expect(takeRecordedCalls()).toEqual([
      'com.test.simple:initialize',
      'com.test.simple:activate',
      'com.test.simple:deactivate',
      'com.test.simple:activate',
      'com.test.simple:deactivate',
      'com.test.simple:cleanup',
    ]);
    expect(events.map((event) => `${event.from}->${event.to}`)).toEqual([
      'unloaded->loading',
      'loading->loaded',
      'loaded->active',
      'active->inactive',
      'inactive->active',
      'active->inactive',
      'inactive->unloading',
      'unloading->unloaded',
    ]);
    for (const event of events) {
      expect(event.pluginId).toBe('com.test.simple');
      expect(event.at).toBeInstanceOf(Date);
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.error).toBeUndefined();
    }
    expect(loader.getPluginState('com.test.simple')).toBeUndefined();
  });

  it('keeps loadedAt and activatedAt, and the same state object through the lifecycle', async () => {
    await directory.writePlugin({ id: 'com.test.simple' });
    const state = await loader.loadPlugin('com.test.simple');
    expect(state.loadedAt).toBeInstanceOf(Date);
    expect(state.activatedAt).toBeNull();
    await loader.activatePlugin('com.test.simple');
    expect(state.activatedAt).toBeInstanceOf(Date);
    expect(loader.getPluginState('com.test.simple')).toBe(state);
  });

  it("deactivates a LOADED plugin to INACTIVE without a hook (the diagram's arrow), and unloads LOADED directly", async () => {
    await directory.writePlugin({ id: 'com.test.simple' });
    await loader.loadPlugin('com.test.simple');
    await loader.deactivatePlugin('com.test.simple');
    expect(loader.getPluginState('com.test.simple')?.status).toBe('inactive');
    await loader.unloadPlugin('com.test.simple');
    await loader.loadPlugin('com.test.simple');
    await loader.unloadPlugin('com.test.simple');
    expect(takeRecordedCalls()).toEqual([
      'com.test.simple:initialize',
      'com.test.simple:cleanup',
      'com.test.simple:initialize',
      'com.test.simple:cleanup',
    ]);
  });

  it('unloads an ACTIVE plugin by deactivating it first', async () => {
    await directory.writePlugin({ id: 'com.test.simple' });
    await loader.loadPlugin('com.test.simple');
    await loader.activatePlugin('com.test.simple');
    await loader.unloadPlugin('com.test.simple');
    expect(takeRecordedCalls()).toEqual([
      'com.test.simple:initialize',
      'com.test.simple:activate',
      'com.test.simple:deactivate',
      'com.test.simple:cleanup',
    ]);
  });
});

describe('invalid transitions are refused with INVALID_TRANSITION naming from and to', () => {
  beforeEach(async () => {
    await directory.writePlugin({ id: 'com.test.simple' });
    await loader.discoverPlugins();
  });

  const cases: Array<{
    name: string;
    setup: PluginStatus;
    run: (id: string) => Promise<unknown>;
    from: PluginStatus;
    to: PluginStatus;
  }> = [
    {
      name: 'activate before load',
      setup: 'unloaded',
      run: (id) => loader.activatePlugin(id),
      from: 'unloaded',
      to: 'active',
    },
    {
      name: 'deactivate before load',
      setup: 'unloaded',
      run: (id) => loader.deactivatePlugin(id),
      from: 'unloaded',
      to: 'inactive',
    },
    {
      name: 'unload before load',
      setup: 'unloaded',
      run: (id) => loader.unloadPlugin(id),
      from: 'unloaded',
      to: 'unloading',
    },
    {
      name: 'reload before load',
      setup: 'unloaded',
      run: (id) => loader.reloadPlugin(id),
      from: 'unloaded',
      to: 'unloading',
    },
    {
      name: 'load twice',
      setup: 'loaded',
      run: (id) => loader.loadPlugin(id),
      from: 'loaded',
      to: 'loading',
    },
    {
      name: 'activate twice',
      setup: 'active',
      run: (id) => loader.activatePlugin(id),
      from: 'active',
      to: 'active',
    },
    {
      name: 'load while active',
      setup: 'active',
      run: (id) => loader.loadPlugin(id),
      from: 'active',
      to: 'loading',
    },
    {
      name: 'deactivate twice',
      setup: 'inactive',
      run: (id) => loader.deactivatePlugin(id),
      from: 'inactive',
      to: 'inactive',
    },
    {
      name: 'load while inactive',
      setup: 'inactive',
      run: (id) => loader.loadPlugin(id),
      from: 'inactive',
      to: 'loading',
    },
    {
      name: 'activate when failed',
      setup: 'failed',
      run: (id) => loader.activatePlugin(id),
      from: 'failed',
      to: 'active',
    },
    {
      name: 'deactivate when failed',
      setup: 'failed',
      run: (id) => loader.deactivatePlugin(id),
      from: 'failed',
      to: 'inactive',
    },
    {
      name: 'load when failed',
      setup: 'failed',
      run: (id) => loader.loadPlugin(id),
      from: 'failed',
      to: 'loading',
    },
  ];

  for (const testCase of cases) {
    it(testCase.name, async () => {
      const id = 'com.test.simple';
      if (testCase.setup === 'failed') {
        await directory.writePlugin({
          id,
          files: {
            'main.mjs': simplePluginSource({
              hooks: { activate: 'async activate() { throw new Error("no"); }' },
            }),
          },
        });
        await loader.loadPlugin(id);
        await loader.activatePlugin(id).catch(() => undefined);
      }
      if (testCase.setup === 'loaded' || testCase.setup === 'active' || testCase.setup === 'inactive') {
        await loader.loadPlugin(id);
      }
      if (testCase.setup === 'active' || testCase.setup === 'inactive') await loader.activatePlugin(id);
      if (testCase.setup === 'inactive') await loader.deactivatePlugin(id);
      const before = loader.getPluginState(id)?.status ?? 'unloaded';
      expect(before).toBe(testCase.setup);
      events.length = 0;
      const error = await rejection(testCase.run(id));
      expect(error.code).toBe('INVALID_TRANSITION');
      expect(error.details).toMatchObject({ pluginId: id, from: testCase.from, to: testCase.to });
      expect(error.message).toContain(`${testCase.from} → ${testCase.to}`);
      expect(loader.getPluginState(id)?.status ?? 'unloaded').toBe(before);
      expect(events).toEqual([]);
    });
  }

  it('refuses operations on a plugin nobody discovered with PLUGIN_NOT_FOUND', async () => {
    expect((await rejection(loader.activatePlugin('com.test.unknown'))).code).toBe('PLUGIN_NOT_FOUND');
    expect((await rejection(loader.loadPlugin('com.test.unknown'))).code).toBe('PLUGIN_NOT_FOUND');
    expect((await rejection(loader.unloadPlugin('com.test.unknown'))).code).toBe('PLUGIN_NOT_FOUND');
  });
});

describe('failures in each hook', () => {
  const failing = (hook: string, how: 'throw' | 'reject'): string =>
    simplePluginSource({
      hooks: {
        [hook]:
          how === 'throw'
            ? `${hook}() { throw new Error('${hook} broke'); }`
            : `${hook}() { return Promise.reject(new Error('${hook} broke')); }`,
      },
    });

  for (const how of ['throw', 'reject'] as const) {
    it(`initialize that ${how}s: LOADING → FAILED, HOOK_FAILED with the cause, no instance`, async () => {
      await directory.writePlugin({
        id: 'com.test.broken',
        files: { 'main.mjs': failing('initialize', how) },
      });
      const error = await rejection(loader.loadPlugin('com.test.broken'));
      expect(error.code).toBe('HOOK_FAILED');
      expect((error.cause as Error).message).toBe('initialize broke');
      const state = loader.getPluginState('com.test.broken');
      expect(state?.status).toBe('failed');
      expect(state?.error).toBe(error);
      expect(state?.instance).toBeNull();
      expect(events.map((event) => `${event.from}->${event.to}`)).toEqual([
        'unloaded->loading',
        'loading->failed',
      ]);
      expect(events[1]?.error).toBe(error);
      await loader.unloadPlugin('com.test.broken');
      expect(loader.getPluginState('com.test.broken')).toBeUndefined();
    });
  }

  it('activate that throws: LOADED → FAILED, no capabilities listed, unload still cleans up', async () => {
    await directory.writePlugin({
      id: 'com.test.broken',
      manifest: { capabilities: [echoCapability] },
      files: { 'main.mjs': failing('activate', 'throw') },
    });
    await loader.loadPlugin('com.test.broken');
    const error = await rejection(loader.activatePlugin('com.test.broken'));
    expect(error.code).toBe('HOOK_FAILED');
    expect(error.details).toMatchObject({ pluginId: 'com.test.broken', hook: 'activate' });
    expect(loader.getPluginState('com.test.broken')?.status).toBe('failed');
    expect(loader.listCapabilities()).toEqual([]);
    await loader.unloadPlugin('com.test.broken');
    expect(takeRecordedCalls()).toEqual(['com.test.broken:initialize', 'com.test.broken:cleanup']);
  });

  it('deactivate that rejects: ACTIVE → FAILED and capabilitiesChanged fires', async () => {
    await directory.writePlugin({
      id: 'com.test.broken',
      manifest: { capabilities: [echoCapability] },
      files: { 'main.mjs': failing('deactivate', 'reject') },
    });
    const changes: string[] = [];
    loader.on('capabilitiesChanged', (event) => changes.push(event.reason));
    await loader.loadPlugin('com.test.broken');
    await loader.activatePlugin('com.test.broken');
    const error = await rejection(loader.deactivatePlugin('com.test.broken'));
    expect(error.code).toBe('HOOK_FAILED');
    expect(loader.getPluginState('com.test.broken')?.status).toBe('failed');
    expect(changes).toEqual(['activate', 'failed']);
  });

  it('cleanup that throws: UNLOADING → FAILED; a second unload ends UNLOADED', async () => {
    await directory.writePlugin({
      id: 'com.test.broken',
      files: { 'main.mjs': failing('cleanup', 'throw') },
    });
    await loader.loadPlugin('com.test.broken');
    const error = await rejection(loader.unloadPlugin('com.test.broken'));
    expect(error.code).toBe('HOOK_FAILED');
    const state = loader.getPluginState('com.test.broken');
    expect(state?.status).toBe('failed');
    expect(state?.instance).toBeNull();
    await loader.unloadPlugin('com.test.broken');
    expect(loader.getPluginState('com.test.broken')).toBeUndefined();
    expect(events.map((event) => `${event.from}->${event.to}`).slice(-4)).toEqual([
      'loaded->unloading',
      'unloading->failed',
      'failed->unloading',
      'unloading->unloaded',
    ]);
  });

  it('a hook past hookTimeoutMs fails the plugin with TIMEOUT', async () => {
    const slow = new PluginLoader({ pluginDirectory: directory.path, hookTimeoutMs: 20 });
    await directory.writePlugin({
      id: 'com.test.slow',
      files: {
        'main.mjs': simplePluginSource({
          hooks: { initialize: 'initialize() { return new Promise(() => {}); }' },
        }),
      },
    });
    const error = await rejection(slow.loadPlugin('com.test.slow'));
    expect(error.code).toBe('TIMEOUT');
    expect(slow.getPluginState('com.test.slow')?.status).toBe('failed');
    await slow.close();
  });

  it('a constructor that throws fails the load with LOAD_FAILED', async () => {
    await directory.writePlugin({
      id: 'com.test.broken',
      files: { 'main.mjs': 'export class Plugin { constructor() { throw new Error("ctor broke"); } }' },
    });
    const error = await rejection(loader.loadPlugin('com.test.broken'));
    expect(error.code).toBe('LOAD_FAILED');
    expect(error.message).toContain('ctor broke');
  });
});
