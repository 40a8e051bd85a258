import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import {
  createPluginDirectory,
  simplePluginSource,
  type TemporaryPluginDirectory,
  takeRecordedCalls,
} from './helpers/plugin-folders';

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;

beforeEach(async () => {
  directory = await createPluginDirectory();
  loader = new PluginLoader({ pluginDirectory: directory.path, runtimeVersion: '1.5.0' });
  takeRecordedCalls();
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
});

const requires = (pluginId: string, constraint = '*', optional = false) => ({
  plugin_id: pluginId,
  version_constraint: constraint,
  optional,
});

async function failure(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!PluginError.is(error)) throw new Error(`expected a PluginError, got ${String(error)}`);
  return error;
}

describe('dependencies', () => {
  it('loads required dependencies first, in resolver order', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.mid', '>=2.0.0')] },
    });
    await directory.writePlugin({
      id: 'com.test.mid',
      manifest: {
        version: '2.1.0',
        dependencies: [requires('com.test.base'), requires('com.test.extra', '*', true)],
      },
    });
    await directory.writePlugin({ id: 'com.test.base' });
    await directory.writePlugin({ id: 'com.test.extra' });
    await loader.loadPlugin('com.test.app');
    expect(takeRecordedCalls()).toEqual([
      'com.test.base:initialize',
      'com.test.mid:initialize',
      'com.test.app:initialize',
    ]);
    expect(loader.listPlugins().map((state) => `${state.metadata.plugin_id}:${state.status}`)).toEqual([
      'com.test.app:loaded',
      'com.test.base:loaded',
      'com.test.mid:loaded',
    ]);
  });

  it('refuses a missing dependency with DEPENDENCY_UNRESOLVED and loads nothing', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.absent')] },
    });
    const error = await failure(loader.loadPlugin('com.test.app'));
    expect(error.code).toBe('DEPENDENCY_UNRESOLVED');
    expect(error.message).toContain('com.test.absent');
    expect(loader.getPluginState('com.test.app')?.status).toBe('failed');
    expect(takeRecordedCalls()).toEqual([]);
  });

  it('refuses an incompatible dependency version with DEPENDENCY_UNRESOLVED naming the constraint', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.lib', '>=2.0.0')] },
    });
    await directory.writePlugin({ id: 'com.test.lib', manifest: { version: '1.4.0' } });
    const error = await failure(loader.loadPlugin('com.test.app'));
    expect(error.code).toBe('DEPENDENCY_UNRESOLVED');
    expect(error.message).toContain('com.test.lib');
    expect(loader.getPluginState('com.test.lib')).toBeUndefined();
  });

  it('refuses a plugin that does not support the runtime with INCOMPATIBLE', async () => {
    await directory.writePlugin({ id: 'com.test.future', manifest: { min_runtime_version: '2.0.0' } });
    const error = await failure(loader.loadPlugin('com.test.future'));
    expect(error.code).toBe('INCOMPATIBLE');
    expect(error.details).toMatchObject({ runtimeVersion: '1.5.0', min_runtime_version: '2.0.0' });
    expect(loader.getPluginState('com.test.future')?.status).toBe('failed');
  });

  it('refuses a dependency cycle with DEPENDENCY_CYCLE and loads nothing', async () => {
    await directory.writePlugin({
      id: 'com.test.first',
      manifest: { dependencies: [requires('com.test.second')] },
    });
    await directory.writePlugin({
      id: 'com.test.second',
      manifest: { dependencies: [requires('com.test.first')] },
    });
    const error = await failure(loader.loadPlugin('com.test.first'));
    expect(error.code).toBe('DEPENDENCY_CYCLE');
    expect(error.message).toContain('com.test.second');
    expect(takeRecordedCalls()).toEqual([]);
    expect(loader.getPluginState('com.test.second')).toBeUndefined();
  });

  it('fails the dependent when a required dependency fails to load', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.lib')] },
    });
    await directory.writePlugin({
      id: 'com.test.lib',
      files: {
        'main.mjs': simplePluginSource({
          hooks: { initialize: 'initialize() { throw new Error("lib broke"); }' },
        }),
      },
    });
    const error = await failure(loader.loadPlugin('com.test.app'));
    expect(error.code).toBe('DEPENDENCY_UNRESOLVED');
    expect(error.message).toContain('lib broke');
    expect(loader.getPluginState('com.test.lib')?.status).toBe('failed');
    expect(loader.getPluginState('com.test.app')?.status).toBe('failed');
  });

  it('refuses to unload a plugin others require, unless asked to cascade', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.lib')] },
    });
    await directory.writePlugin({ id: 'com.test.lib' });
    await loader.loadPlugin('com.test.app');
    await loader.activatePlugin('com.test.app');
    takeRecordedCalls();
    const error = await failure(loader.unloadPlugin('com.test.lib'));
    expect(error.code).toBe('DEPENDENTS_LOADED');
    expect(error.details).toMatchObject({ pluginId: 'com.test.lib', dependents: ['com.test.app'] });
    expect(loader.getPluginState('com.test.lib')?.status).toBe('loaded');
    expect(loader.getPluginState('com.test.app')?.status).toBe('active');
    await loader.unloadPlugin('com.test.lib', { cascade: true });
    expect(takeRecordedCalls()).toEqual([
      'com.test.app:deactivate',
      'com.test.app:cleanup',
      'com.test.lib:cleanup',
    ]);
    expect(loader.listPlugins()).toEqual([]);
  });
});

describe('close', () => {
  it('unloads everything, dependents first, and refuses later loads', async () => {
    await directory.writePlugin({
      id: 'com.test.app',
      manifest: { dependencies: [requires('com.test.lib')] },
    });
    await directory.writePlugin({ id: 'com.test.lib' });
    await loader.loadPlugin('com.test.app');
    await loader.activatePlugin('com.test.app');
    await loader.activatePlugin('com.test.lib');
    takeRecordedCalls();
    await loader.close();
    expect(takeRecordedCalls()).toEqual([
      'com.test.app:deactivate',
      'com.test.app:cleanup',
      'com.test.lib:deactivate',
      'com.test.lib:cleanup',
    ]);
    expect(loader.listPlugins()).toEqual([]);
    const error = await failure(loader.loadPlugin('com.test.lib'));
    expect(error.code).toBe('INVALID_ARGUMENT');
  });
});

describe('autoLoadPlugins', () => {
  it('loads enabled auto_load plugins in dependency order, then by priority, and activates them', async () => {
    await directory.writePlugin({ id: 'com.test.low', config: { auto_load: true, priority: 1 } });
    await directory.writePlugin({ id: 'com.test.high', config: { auto_load: true, priority: 50 } });
    await directory.writePlugin({
      id: 'com.test.needs-base',
      manifest: { dependencies: [requires('com.test.base')] },
      config: { auto_load: true, priority: 100 },
    });
    await directory.writePlugin({ id: 'com.test.base', config: { auto_load: true, priority: -5 } });
    await directory.writePlugin({
      id: 'com.test.disabled',
      config: { enabled: false, auto_load: true, priority: 99 },
    });
    await directory.writePlugin({ id: 'com.test.manual', config: { auto_load: false } });
    await directory.writePlugin({ id: 'com.test.no-config' });
    const result = await loader.autoLoadPlugins();
    expect(result.map(({ pluginId, status, error }) => ({ pluginId, status, error }))).toEqual([
      { pluginId: 'com.test.high', status: 'active', error: undefined },
      { pluginId: 'com.test.low', status: 'active', error: undefined },
      { pluginId: 'com.test.base', status: 'active', error: undefined },
      { pluginId: 'com.test.needs-base', status: 'active', error: undefined },
    ]);
    expect(result.every((entry) => entry.state?.status === 'active')).toBe(true);
    expect(takeRecordedCalls().filter((call) => call.endsWith(':initialize'))).toEqual([
      'com.test.high:initialize',
      'com.test.low:initialize',
      'com.test.base:initialize',
      'com.test.needs-base:initialize',
    ]);
    expect(loader.getPluginState('com.test.manual')).toBeUndefined();
    expect(loader.getPluginState('com.test.disabled')).toBeUndefined();
  });

  it('goes on after a failure and lists what failed and why', async () => {
    await directory.writePlugin({ id: 'com.test.good', config: { auto_load: true, priority: 1 } });
    await directory.writePlugin({
      id: 'com.test.bad',
      config: { auto_load: true, priority: 10 },
      files: {
        'main.mjs': simplePluginSource({ hooks: { activate: 'activate() { throw new Error("bad"); }' } }),
      },
    });
    await directory.writePlugin({
      id: 'com.test.orphan',
      manifest: { dependencies: [requires('com.test.absent')] },
      config: { auto_load: true },
    });
    await directory.writePlugin({ id: 'com.test.bad-config', config: { auto_load: true, priority: 'top' } });
    const result = await loader.autoLoadPlugins();
    expect(result.map((entry) => [entry.pluginId, entry.status, (entry.error as PluginError)?.code])).toEqual(
      [
        ['com.test.bad-config', 'failed', 'CONFIG_INVALID'],
        ['com.test.bad', 'failed', 'HOOK_FAILED'],
        ['com.test.good', 'active', undefined],
        ['com.test.orphan', 'failed', 'DEPENDENCY_UNRESOLVED'],
      ],
    );
    // Every failure says why on its first line.
    for (const entry of result.filter((item) => item.status === 'failed')) {
      expect(entry.error?.message.split('\n')[0]).toMatch(/: \S/);
    }
  });

  it('stops at the first failure with the "abort" policy and lists the rest as skipped', async () => {
    await directory.writePlugin({ id: 'com.test.first', config: { auto_load: true, priority: 3 } });
    await directory.writePlugin({
      id: 'com.test.second',
      config: { auto_load: true, priority: 2 },
      files: {
        'main.mjs': simplePluginSource({ hooks: { initialize: 'initialize() { throw new Error("no"); }' } }),
      },
    });
    await directory.writePlugin({ id: 'com.test.third', config: { auto_load: true, priority: 1 } });
    const result = await loader.autoLoadPlugins({ policy: 'abort' });
    expect(result.map(({ pluginId, status }) => [pluginId, status])).toEqual([
      ['com.test.first', 'active'],
      ['com.test.second', 'failed'],
      ['com.test.third', 'skipped'],
    ]);
    expect(loader.getPluginState('com.test.third')).toBeUndefined();
  });

  it('reports plugins on a dependency cycle and loads the others', async () => {
    await directory.writePlugin({
      id: 'com.test.first',
      manifest: { dependencies: [requires('com.test.second')] },
      config: { auto_load: true },
    });
    await directory.writePlugin({
      id: 'com.test.second',
      manifest: { dependencies: [requires('com.test.first')] },
      config: { auto_load: true },
    });
    await directory.writePlugin({ id: 'com.test.free', config: { auto_load: true } });
    const result = await loader.autoLoadPlugins();
    expect(result.map((entry) => [entry.pluginId, entry.status, (entry.error as PluginError)?.code])).toEqual(
      [
        ['com.test.first', 'failed', 'DEPENDENCY_CYCLE'],
        ['com.test.second', 'failed', 'DEPENDENCY_CYCLE'],
        ['com.test.free', 'active', undefined],
      ],
    );
  });

  it('does nothing when the loader was created with enableAutoLoad: false', async () => {
    await directory.writePlugin({ id: 'com.test.first', config: { auto_load: true } });
    const manual = new PluginLoader({ pluginDirectory: directory.path, enableAutoLoad: false });
    expect(await manual.autoLoadPlugins()).toEqual([]);
    expect(manual.listPlugins()).toEqual([]);
  });
});
