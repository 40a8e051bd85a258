import { describe, expect, it } from 'vitest';
import hello from '../__fixtures__/seed-hello.json';
import { PluginError } from '../errors/plugin-error';
import { createDefaultConfig } from '../manifest/parse-config';
import { parseManifest } from '../manifest/parse-manifest';
import { type PluginState, SerializedPluginStateSchema, serializePluginState } from './plugin-state';
import { isRiskAbove, riskLevelForScore } from './validation-result';

describe('serializePluginState', () => {
  const metadata = parseManifest(hello);
  const state: PluginState = {
    metadata,
    status: 'failed',
    config: createDefaultConfig(metadata.plugin_id),
    instance: { greet: () => 'hi', secret: 'not for status pages' },
    error: new PluginError('HOOK_FAILED', 'activate() threw'),
    pluginPath: '/plugins/hello',
    loadedAt: new Date('2026-01-01T00:00:00Z'),
    activatedAt: null,
    updatedAt: new Date('2026-01-01T00:00:01Z'),
  };

  it('leaves out the instance and turns dates and errors into JSON', () => {
    const json = JSON.parse(JSON.stringify(serializePluginState(state)));
    expect(json).not.toHaveProperty('instance');
    expect(JSON.stringify(json)).not.toContain('not for status pages');
    expect(json).toMatchObject({
      pluginId: 'com.mycompany.hello',
      version: '1.0.0',
      status: 'failed',
      error: { name: 'PluginError', message: 'activate() threw', code: 'HOOK_FAILED' },
      loadedAt: '2026-01-01T00:00:00.000Z',
      activatedAt: null,
    });
    expect(SerializedPluginStateSchema.safeParse(json).success).toBe(true);
  });

  it('carries the isolation layers of a loaded plugin', () => {
    const layers = {
      isolation: 'process',
      process: true,
      permissionModel: true,
      policy: true,
      os: false,
      network: 'policy',
    } as const;
    const json = JSON.parse(JSON.stringify(serializePluginState({ ...state, sandbox: layers })));
    expect(json.sandbox).toEqual(layers);
    expect(SerializedPluginStateSchema.safeParse(json).success).toBe(true);
    expect(
      SerializedPluginStateSchema.safeParse({ ...json, sandbox: { ...layers, os: 'yes' } }).success,
    ).toBe(false);
  });
});

describe('riskLevelForScore', () => {
  it.each([
    [100, 'low'],
    [80, 'low'],
    [79, 'medium'],
    [60, 'medium'],
    [59, 'high'],
    [40, 'high'],
    [39, 'critical'],
    [0, 'critical'],
  ])('maps %i to %s', (score, level) => {
    expect(riskLevelForScore(score)).toBe(level);
  });
});

describe('isRiskAbove', () => {
  it('orders low < medium < high < critical', () => {
    expect(isRiskAbove('critical', 'high')).toBe(true);
    expect(isRiskAbove('high', 'high')).toBe(false);
    expect(isRiskAbove('medium', 'low')).toBe(true);
    expect(isRiskAbove('low', 'critical')).toBe(false);
  });
});
