import { fileURLToPath } from 'node:url';
import {
  type PluginLoadError,
  PluginStatus,
  PluginValidationError,
  type PluginValidatorLike,
} from '@agentplug/models';
import { PluginValidator } from '@agentplug/validator';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginLoader, type StateChangeEvent } from '../src/index';
import { createTableValidator } from './helpers/plugin-folders';

const pluginDirectory = fileURLToPath(new URL('./__fixtures__/seed-plugins', import.meta.url));

describe("the seed's complete plugin lifecycle, in TypeScript", () => {
  let loader: PluginLoader | undefined;
  afterEach(async () => {
    await loader?.close();
  });

  it('discovers, loads, activates, uses, lists, reloads, deactivates and unloads', async () => {
    // Initialize services (the real validator, watched to see what it was asked)
    const real = new PluginValidator();
    const validated: string[] = [];
    const validator: PluginValidatorLike = {
      async validatePlugin(path, metadata) {
        validated.push(metadata?.plugin_id ?? path);
        return real.validatePlugin(path, metadata);
      },
    };
    loader = new PluginLoader({ pluginDirectory, validator, enableAutoLoad: true, runtimeVersion: '1.5.0' });
    const transitions: string[] = [];
    loader.on('stateChange', (event: StateChangeEvent) => {
      if (event.pluginId === 'com.example.calculator') transitions.push(`${event.from}->${event.to}`);
    });

    // 1. Discover available plugins
    const discovered = await loader.discoverPlugins();
    expect(discovered.map((plugin) => `${plugin.plugin_id} v${plugin.version}`).sort()).toEqual([
      'com.example.calculator v1.2.3',
      'com.example.mathlib v2.1.0',
      'com.mycompany.hello v1.0.0',
    ]);
    expect(loader.getDiscoveryProblems()).toEqual([]);

    // 2. Load specific plugin (its dependency com.example.mathlib loads first)
    const pluginId = 'com.example.calculator';
    const config = { plugin_id: pluginId, enabled: true, config: { precision: 15 } };
    let state = await loader.loadPlugin(pluginId, { config, validate: true });
    expect(state.metadata.name).toBe('Calculator Plugin');
    expect(state.status).toBe(PluginStatus.LOADED);
    expect(state.config.config).toEqual({ precision: 15, cache_enabled: true });
    expect(loader.getPluginState('com.example.mathlib')?.status).toBe('loaded');
    expect(validated).toEqual(['com.example.calculator', 'com.example.mathlib']);

    // 3. Activate plugin
    await loader.activatePlugin(pluginId);
    expect(state.status).toBe('active');

    // 4. Use plugin
    const instance = state.instance as {
      arithmetic(params: { expression: string }): Promise<unknown>;
      events: string[];
    };
    expect(await instance.arithmetic({ expression: '2 + 2 * 3' })).toEqual({ value: 8, precision: 15 });
    expect(await loader.invoke(pluginId, 'arithmetic', { expression: '2 * 5' })).toEqual({
      value: 10,
      precision: 15,
    });
    expect(instance.events).toEqual(['initialize', 'activate']);

    // 5. List all plugins
    const activePlugins = loader.listPlugins({ status: PluginStatus.ACTIVE });
    expect(activePlugins.map((plugin) => plugin.metadata.plugin_id)).toEqual([pluginId]);

    // 6. Reload plugin (hot reload): same configuration, back to ACTIVE, a new instance
    state = await loader.reloadPlugin(pluginId, { validate: true });
    expect(state.status).toBe('active');
    expect(state.config.config).toEqual({ precision: 15, cache_enabled: true });
    expect(state.instance).not.toBe(instance);
    expect(instance.events).toEqual(['initialize', 'activate', 'deactivate', 'cleanup']);

    // 7. Deactivate and unload
    await loader.deactivatePlugin(pluginId);
    await loader.unloadPlugin(pluginId);
    expect(loader.getPluginState(pluginId)).toBeUndefined();
    expect(transitions).toEqual([
      'unloaded->loading',
      'loading->loaded',
      'loaded->active',
      'active->inactive',
      'inactive->unloading',
      'unloading->unloaded',
      'unloaded->loading',
      'loading->loaded',
      'loaded->active',
      'active->inactive',
      'inactive->unloading',
      'unloading->unloaded',
    ]);
  });

  it("follows the seed's failure handling: PluginValidationError carries the result, PluginLoadError names the plugin", async () => {
    const validator = createTableValidator({
      'com.mycompany.hello': {
        valid: false,
        errors: ['code uses eval'],
        securityScore: 20,
        riskLevel: 'critical',
      },
    });
    loader = new PluginLoader({ pluginDirectory, validator });
    const failure = await loader.loadPlugin('com.mycompany.hello').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PluginValidationError);
    expect((failure as PluginValidationError).code).toBe('VALIDATION_FAILED');
    expect((failure as PluginValidationError).validationResult.errors).toEqual(['code uses eval']);
    expect(loader.getPluginState('com.mycompany.hello')?.status).toBe('failed');
    expect(loader.getPluginState('com.mycompany.hello')?.error).toBe(failure);

    const missing = await loader.loadPlugin('com.example.nothing').catch((error: unknown) => error);
    expect((missing as PluginLoadError).code).toBe('PLUGIN_NOT_FOUND');
  });
});
