import { readFile } from 'node:fs/promises';
import { PluginError, type PluginMetadataInput } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { checkManifest, composeMiddleware, createManifest, type PluginDefinition } from '../index';
import { createTestHost } from './create-test-host';

const greeterPath = new URL('./__fixtures__/greeter/', import.meta.url);
const entryUrl = new URL('main.js', greeterPath).href;
const { createPlugin } = (await import(entryUrl)) as { createPlugin: PluginDefinition };

describe('createTestHost with a plugin written with definePlugin', () => {
  test("the fixture's plugin.json is the one createManifest generates", async () => {
    const manifest = JSON.parse(
      await readFile(new URL('plugin.json', greeterPath), 'utf8'),
    ) as PluginMetadataInput;
    expect(checkManifest(createPlugin, manifest)).toEqual([]);
    const { capabilities, plugin_type, config_schema, ...base } = manifest;
    expect(createManifest(createPlugin, base)).toEqual(manifest);
    expect([capabilities?.length, plugin_type, config_schema]).toEqual([2, 'tool', expect.any(Object)]);
  });

  test('loads it in the real loader, applies config, runs hooks and invokes capabilities', async () => {
    const host = await createTestHost({ pluginPath: greeterPath, config: { greeting: 'Hi' } });
    try {
      expect(host.pluginId).toBe('com.example.sdk-greeter');
      expect(host.status).toBe('active');
      await expect(host.invoke('greet', { name: 'Ada' })).resolves.toBe('Hi, Ada!');
      await expect(host.invoke('greet', { name: 'Ada', times: 2 })).resolves.toBe('Hi, Ada! Hi, Ada!');
      await expect(host.invoke('events')).resolves.toEqual(['initialize', 'activate']);

      const invalid = await host.invoke('greet', { name: '' }).catch((error: unknown) => error);
      expect(PluginError.is(invalid, 'INVALID_PARAMS')).toBe(true);
      const missing = await host.invoke('shout', {}).catch((error: unknown) => error);
      expect(PluginError.is(missing, 'CAPABILITY_NOT_FOUND')).toBe(true);

      await host.deactivate();
      expect(host.status).toBe('inactive');
      const inactive = await host.invoke('greet', { name: 'Ada' }).catch((error: unknown) => error);
      expect(PluginError.is(inactive, 'NOT_ACTIVE')).toBe(true);
      await host.activate();
      await expect(host.invoke('events')).resolves.toEqual([
        'initialize',
        'activate',
        'deactivate',
        'activate',
      ]);
    } finally {
      await host.close();
      await host.close();
    }
  });

  test('uses config.json when no config is given, and rejects a bad config with its code', async () => {
    const host = await createTestHost({ pluginPath: greeterPath });
    try {
      await expect(host.invoke('greet', { name: 'Ada' })).resolves.toBe('Hello, Ada!');
    } finally {
      await host.close();
    }
    const error = await createTestHost({ pluginPath: greeterPath, config: { greeting: 42 } }).catch(
      (caught: unknown) => caught,
    );
    expect(PluginError.is(error)).toBe(true);
    expect((error as PluginError).code).toMatch(/^(CONFIG_INVALID|LOAD_FAILED)$/);
  });

  test('a folder without plugin.json fails with MANIFEST_NOT_FOUND', async () => {
    const error = await createTestHost({ pluginPath: new URL('./__fixtures__/', import.meta.url) }).catch(
      (caught: unknown) => caught,
    );
    expect(PluginError.is(error, 'MANIFEST_NOT_FOUND')).toBe(true);
  });
});

describe('a middleware written with defineMiddleware', () => {
  test('loads in the real loader as the default export and composes with composeMiddleware', async () => {
    const host = await createTestHost({
      pluginPath: new URL('./__fixtures__/shouter/', import.meta.url),
      config: { suffix: '!!' },
    });
    try {
      expect(host.state.metadata.plugin_type).toBe('middleware');
      const run = composeMiddleware<string, string>(host.loader.listPlugins({ type: 'middleware' }), {
        final: (request) => `answer to ${request}`,
      });
      await expect(run('hello')).resolves.toBe('ANSWER TO HELLO!!');
      await host.deactivate();
      const withoutActive = composeMiddleware<string, string>(
        host.loader.listPlugins({ type: 'middleware' }),
        {
          final: (request) => `answer to ${request}`,
        },
      );
      await expect(withoutActive('hello')).resolves.toBe('answer to hello');
    } finally {
      await host.close();
    }
  });
});
