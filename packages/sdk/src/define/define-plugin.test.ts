import { PluginError, type PluginMetadata, parseManifest } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { isPluginDefinition, z } from '../index';
import { definePlugin } from './define-plugin';

const metadata: PluginMetadata = parseManifest({
  plugin_id: 'com.example.greeter',
  name: 'Greeter',
  version: '1.0.0',
  description: 'Greets',
  author: 'Example',
  plugin_type: 'tool',
  entry_point: 'main',
});

const greeter = definePlugin({
  config: z.object({ greeting: z.string().default('Hello') }),
  capabilities: {
    greet: {
      description: 'Greets someone',
      params: z.object({ name: z.string().min(1), times: z.number().int().default(1) }),
      handler: ({ name, times }, { config }) => Array(times).fill(`${config.greeting}, ${name}!`).join(' '),
    },
  },
});

describe('definePlugin', () => {
  test('creates an instance whose capability parses params and applies config defaults', async () => {
    const instance = await greeter(metadata, {});
    await expect(instance.greet({ name: 'Ada' })).resolves.toBe('Hello, Ada!');
    const custom = await greeter.createPlugin(metadata, { greeting: 'Hi' });
    await expect(custom.greet({ name: 'Ada', times: 2 })).resolves.toBe('Hi, Ada! Hi, Ada!');
  });

  test('rejects params that fail the schema with INVALID_PARAMS and each issue listed', async () => {
    const instance = await greeter(metadata, {});
    const error = await instance.greet({ name: '', times: 1.5 }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INVALID_PARAMS')).toBe(true);
    expect((error as PluginError).details).toMatchObject({
      pluginId: 'com.example.greeter',
      capability: 'greet',
      issues: [
        { path: '$.name', message: expect.any(String) },
        { path: '$.times', message: expect.any(String) },
      ],
    });
  });

  test('rejects a config that fails its schema with CONFIG_INVALID', async () => {
    const error = await Promise.resolve(greeter(metadata, { greeting: 42 })).catch(
      (caught: unknown) => caught,
    );
    expect(PluginError.is(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as PluginError).message).toContain('$.greeting');
  });

  test('runs the hooks it was given with the context, and only those', async () => {
    const calls: string[] = [];
    const definition = definePlugin({
      config: z.object({ label: z.string().default('x') }),
      initialize: ({ config }) => void calls.push(`initialize ${config.label}`),
      activate: async ({ metadata: pluginMetadata }) =>
        void calls.push(`activate ${pluginMetadata.plugin_id}`),
    });
    const instance = await definition(metadata, {});
    await instance.initialize?.();
    await instance.activate?.();
    expect(calls).toEqual(['initialize x', 'activate com.example.greeter']);
    expect(instance.deactivate).toBeUndefined();
    expect(instance.cleanup).toBeUndefined();
  });

  test('refuses capability names that are not method names or are reserved', () => {
    for (const name of ['activate', 'then', 'not-a-method', '1st']) {
      expect(() =>
        definePlugin({ capabilities: { [name]: { params: z.object({}), handler: () => null } } }),
      ).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });

  test('is a prototype-less factory the loader will not mistake for a class, and is recognisable', () => {
    expect(typeof greeter).toBe('function');
    expect(greeter.prototype).toBeUndefined();
    expect(greeter.pluginType).toBe('tool');
    expect(Object.keys(greeter.capabilities)).toEqual(['greet']);
    expect(isPluginDefinition(greeter)).toBe(true);
    expect(isPluginDefinition(() => ({}))).toBe(false);
  });
});
