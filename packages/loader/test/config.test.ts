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
