import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

const configSchema = {
  type: 'object',
  properties: {
    precision: { type: 'integer', default: 10, minimum: 1 },
    mode: { type: 'string', enum: ['fast', 'exact'], default: 'fast' },
    limits: {
      type: 'object',
      properties: { retries: { type: 'integer', default: 3 }, timeout: { type: 'integer', default: 30 } },
      default: {},
    },
    api_key: { type: 'string' },
  },
  required: ['api_key'],
};

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;

beforeEach(async () => {
  directory = await createPluginDirectory();
  loader = new PluginLoader({ pluginDirectory: directory.path });
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
});

async function loadError(promise: Promise<unknown>): Promise<PluginError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!PluginError.is(error)) throw new Error('expected a PluginError');
  return error;
}

describe('configuration', () => {
  it('merges config_schema defaults, then config.json, then the caller, and passes the values to the plugin', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: configSchema },
      config: { priority: 5, config: { precision: 12, limits: { retries: 5 }, api_key: 'from-file' } },
    });
    const state = await loader.loadPlugin('com.test.configured', {
      config: { config: { precision: 20, limits: { timeout: 60 } } },
    });
    const expected = {
      precision: 20,
      mode: 'fast',
      limits: { retries: 5, timeout: 60 },
      api_key: 'from-file',
    };
    expect(state.config.config).toEqual(expected);
    expect(state.config.priority).toBe(5);
    expect(state.config.plugin_id).toBe('com.test.configured');
    await loader.activatePlugin('com.test.configured');
    expect((state.instance as { config: unknown }).config).toEqual(expected);
  });

  it('fills defaults for a plugin without config.json', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: { ...configSchema, required: [] } },
    });
    const state = await loader.loadPlugin('com.test.configured');
    expect(state.config).toMatchObject({ enabled: true, auto_load: false, priority: 0 });
    expect(state.config.config).toEqual({ precision: 10, mode: 'fast', limits: { retries: 3, timeout: 30 } });
  });

  it('refuses invalid values with CONFIG_INVALID naming each JSON path, and the plugin is FAILED', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: configSchema },
      config: { config: { precision: 0, mode: 'slow', limits: { retries: 'many' } } },
    });
    const error = await loadError(loader.loadPlugin('com.test.configured'));
    expect(error.code).toBe('CONFIG_INVALID');
    const issues = (error.details.issues as Array<{ path: string }>).map((issue) => issue.path).sort();
    expect(issues).toEqual([
      '$.config.api_key',
      '$.config.limits.retries',
      '$.config.mode',
      '$.config.precision',
    ]);
    expect(error.message).toContain('$.config.precision');
    expect(error.message.split('\n')[0]).toMatch(
      /the configuration of com\.test\.configured is invalid: \$\.config\.\S+: .+ \(and 3 more\)$/,
    );
    const state = loader.getPluginState('com.test.configured');
    expect(state?.status).toBe('failed');
    expect(state?.error).toBe(error);
    expect(state?.instance).toBeNull();
  });

  it('refuses a caller configuration for another plugin id', async () => {
    await directory.writePlugin({ id: 'com.test.configured' });
    const error = await loadError(
      loader.loadPlugin('com.test.configured', { config: { plugin_id: 'com.test.other' } }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
  });

  it('refuses a broken config.json with CONFIG_INVALID', async () => {
    await directory.writePlugin({ id: 'com.test.configured', config: { priority: 'high' } });
    const error = await loadError(loader.loadPlugin('com.test.configured'));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('$.priority');
  });

  it('refuses a config_schema ajv cannot compile with CONFIG_INVALID', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: { type: 'object', properties: { value: { $ref: '#/$defs/missing' } } } },
    });
    const error = await loadError(loader.loadPlugin('com.test.configured'));
    expect(error.code).toBe('CONFIG_INVALID');
  });
});

describe('unknown keys in the caller configuration', () => {
  it('refuses { precision: 15 } with a did-you-mean pointing at config.precision, and loads nothing', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: { ...configSchema, required: [] } },
    });
    const error = await loadError(loader.loadPlugin('com.test.configured', { config: { precision: 15 } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message.split('\n')[0]).toContain(
      'unknown key "precision": did you mean "config.precision"?',
    );
    expect(error.details.issues).toEqual([
      { path: '$.precision', message: 'unknown key', suggestion: 'config.precision' },
    ]);
    expect(loader.getPluginState('com.test.configured')?.status).toBe('failed');
  });

  it('suggests the closest config.json key for a typo, and accepts every config.json key', async () => {
    await directory.writePlugin({ id: 'com.test.configured' });
    const error = await loadError(loader.loadPlugin('com.test.configured', { config: { enabeld: false } }));
    expect(error.message).toContain('did you mean "enabled"?');
    const other = new PluginLoader({ pluginDirectory: directory.path });
    const state = await other.loadPlugin('com.test.configured', {
      config: { enabled: true, auto_load: false, priority: 2, config: {}, sandbox_config_override: {} },
    });
    expect(state.config.priority).toBe(2);
    await other.close();
  });
});

describe('operator configuration beside the plugin folders', () => {
  async function writeOperatorConfig(folder: string, pluginId: string, document: unknown): Promise<string> {
    await mkdir(folder, { recursive: true });
    const path = join(folder, `${pluginId}.json`);
    await writeFile(path, JSON.stringify(document));
    return path;
  }

  it('reads agentplug-config/<id>.json over the shipped config.json, under the caller', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: configSchema },
      config: { auto_load: true, config: { precision: 12, api_key: 'shipped', mode: 'exact' } },
    });
    await writeOperatorConfig(join(directory.path, 'agentplug-config'), 'com.test.configured', {
      priority: 7,
      config: { api_key: 'operator', limits: { retries: 9 } },
    });
    const state = await loader.loadPlugin('com.test.configured', { config: { config: { precision: 30 } } });
    expect(state.config.config).toEqual({
      precision: 30,
      mode: 'exact',
      limits: { retries: 9, timeout: 30 },
      api_key: 'operator',
    });
    expect(state.config).toMatchObject({ priority: 7, auto_load: true });
  });

  it('auto-loads by the operator configuration: enabled false there keeps a plugin down', async () => {
    await directory.writePlugin({ id: 'com.test.first', config: { auto_load: true } });
    await directory.writePlugin({ id: 'com.test.second', config: { auto_load: false } });
    const operatorFolder = join(directory.path, 'agentplug-config');
    await writeOperatorConfig(operatorFolder, 'com.test.first', { enabled: false });
    await writeOperatorConfig(operatorFolder, 'com.test.second', { auto_load: true });
    const result = await loader.autoLoadPlugins();
    expect(result.map(({ pluginId, status }) => [pluginId, status])).toEqual([['com.test.second', 'active']]);
  });

  it('reads another folder with operatorConfigDirectory, and none with false', async () => {
    await directory.writePlugin({ id: 'com.test.configured', config: { priority: 1 } });
    const elsewhere = join(directory.path, '..', `${directory.path.split('/').pop()}-operator`);
    await writeOperatorConfig(elsewhere, 'com.test.configured', { priority: 3 });
    await writeOperatorConfig(join(directory.path, 'agentplug-config'), 'com.test.configured', {
      priority: 2,
    });
    const there = new PluginLoader({ pluginDirectory: directory.path, operatorConfigDirectory: elsewhere });
    const none = new PluginLoader({ pluginDirectory: directory.path, operatorConfigDirectory: false });
    expect((await there.loadPlugin('com.test.configured')).config.priority).toBe(3);
    expect((await none.loadPlugin('com.test.configured')).config.priority).toBe(1);
    expect((await loader.loadPlugin('com.test.configured')).config.priority).toBe(2);
    await Promise.all([there.close(), none.close()]);
  });

  it('refuses an operator file with a wrong type, another id, unknown keys or broken JSON, naming the file', async () => {
    await directory.writePlugin({
      id: 'com.test.configured',
      manifest: { config_schema: { ...configSchema, required: [] } },
    });
    const operatorFolder = join(directory.path, 'agentplug-config');
    for (const [document, expected] of [
      [{ config: { precision: 'many' } }, '$.config.precision'],
      [{ priority: 'top' }, '$.priority'],
      [{ plugin_id: 'com.test.other' }, 'is for com.test.other'],
      [{ precision: 3 }, 'did you mean "config.precision"?'],
      ['{ not json', 'com.test.configured.json'],
    ] as const) {
      const path = join(operatorFolder, 'com.test.configured.json');
      await mkdir(operatorFolder, { recursive: true });
      await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document));
      const fresh = new PluginLoader({ pluginDirectory: directory.path });
      const error = await loadError(fresh.loadPlugin('com.test.configured'));
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message.split('\n')[0]).toContain(expected);
      if (typeof document !== 'string') expect(error.message.split('\n')[0]).toContain(path);
      await fresh.close();
    }
  });
});
