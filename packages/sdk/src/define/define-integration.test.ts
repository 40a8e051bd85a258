import { PluginError, type PluginMetadata, parseManifest } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { z } from '../index';
import { defineIntegration } from './define-integration';

const metadata: PluginMetadata = parseManifest({
  plugin_id: 'com.example.tracker',
  name: 'Tracker',
  version: '1.0.0',
  description: 'Issues',
  author: 'Example',
  plugin_type: 'integration',
  entry_point: 'main',
});

describe('defineIntegration', () => {
  test('connects on activate and disconnects on deactivate and on cleanup, around the hooks', async () => {
    const events: string[] = [];
    let opened = 0;
    const definition = defineIntegration({
      config: z.object({ url: z.string() }),
      connect: ({ config }) => {
        opened += 1;
        events.push(`connect ${config.url}`);
        return { id: opened, lookup: (key: string) => `${config.url}/${key}#${opened}` };
      },
      disconnect: (connection) => void events.push(`disconnect ${connection.id}`),
      activate: () => void events.push('activate'),
      deactivate: () => void events.push('deactivate'),
      cleanup: () => void events.push('cleanup'),
      capabilities: {
        lookup: {
          params: z.object({ key: z.string() }),
          handler: ({ key }, { connection }) => connection.lookup(key),
        },
      },
    });
    expect(definition.pluginType).toBe('integration');
    const instance = await definition(metadata, { url: 'https://tracker.test' });

    const notConnected = await instance.lookup({ key: 'a' }).catch((caught: unknown) => caught);
    expect(PluginError.is(notConnected, 'NOT_ACTIVE')).toBe(true);

    await instance.activate?.();
    await expect(instance.lookup({ key: 'a' })).resolves.toBe('https://tracker.test/a#1');
    await instance.deactivate?.();
    await instance.activate?.();
    await expect(instance.lookup({ key: 'b' })).resolves.toBe('https://tracker.test/b#2');
    await instance.cleanup?.();
    await instance.cleanup?.();

    expect(events).toEqual([
      'connect https://tracker.test',
      'activate',
      'deactivate',
      'disconnect 1',
      'connect https://tracker.test',
      'activate',
      'disconnect 2',
      'cleanup',
      'cleanup',
    ]);
  });
});
