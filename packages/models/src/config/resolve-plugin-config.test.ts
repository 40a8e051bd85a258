import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors/plugin-error';
import { parseManifest } from '../manifest/parse-manifest';
import { getOperatorConfigPath, readOperatorConfig } from './operator-config';
import { resolvePluginConfig } from './resolve-plugin-config';

const metadata = parseManifest({
  plugin_id: 'com.example.greeter',
  name: 'Greeter',
  version: '1.0.0',
  description: 'greets',
  author: 'tests',
  plugin_type: 'tool',
  entry_point: 'main',
  config_schema: {
    type: 'object',
    properties: { greeting: { type: 'string', default: 'Hello' }, nested: { type: 'object' } },
  },
});

describe('operator configuration', () => {
  it('lives in agentplug-config/<id>.json beside the plugin folders, and refuses ids that are not ids', () => {
    expect(getOperatorConfigPath('com.example.greeter', { pluginDirectory: '/srv/plugins' })).toBe(
      join('/srv/plugins', 'agentplug-config', 'com.example.greeter.json'),
    );
    expect(() => getOperatorConfigPath('../etc', { pluginDirectory: '/srv/plugins' })).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });

  it('reads only what the operator wrote, and a __proto__ key in it sets no prototype anywhere', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'agentplug-operator-config-'));
    const path = join(folder, 'com.example.greeter.json');
    await writeFile(path, '{"config":{"greeting":"Bonjour","nested":{"__proto__":{"polluted":true}}}}');
    const layer = await readOperatorConfig(path, 'com.example.greeter');
    expect(layer?.document).toEqual({ config: { greeting: 'Bonjour', nested: expect.any(Object) } });
    const config = resolvePluginConfig({ metadata, operatorConfig: layer });
    expect(config.config.greeting).toBe('Bonjour');
    const nested = config.config.nested as Record<string, unknown>;
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((nested as { polluted?: unknown }).polluted).toBeUndefined();
    expect(await readOperatorConfig(join(folder, 'missing.json'), 'com.example.greeter')).toBeUndefined();
    await rm(folder, { recursive: true, force: true });
  });

  it('fills the schema defaults under the operator values, and refuses a value the schema refuses', () => {
    expect(resolvePluginConfig({ metadata }).config).toEqual({ greeting: 'Hello' });
    const error = (() => {
      try {
        resolvePluginConfig({
          metadata,
          operatorConfig: { path: '/srv/x.json', document: { config: { greeting: 5 } } },
        });
      } catch (caught) {
        return caught;
      }
    })();
    expect(PluginError.is(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      'the configuration of com.example.greeter (operator settings in /srv/x.json) is invalid: $.config.greeting: must be string',
    );
  });
});
