import {
  PluginError,
  PluginLoadError,
  PluginValidationError,
  type PluginValidatorLike,
} from '@agentplug/models';
import { PluginValidator } from '@agentplug/validator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import {
  createPluginDirectory,
  createTableValidator,
  type TemporaryPluginDirectory,
  validationResult,
} from './helpers/plugin-folders';

let directory: TemporaryPluginDirectory;
let loader: PluginLoader | undefined;

beforeEach(async () => {
  directory = await createPluginDirectory();
});

afterEach(async () => {
  await loader?.close();
  loader = undefined;
  await directory.remove();
});

describe('validation with @agentplug/validator', () => {
  it('loads a clean plugin and refuses one that spawns processes with PluginValidationError', async () => {
    await directory.writePlugin({
      id: 'com.test.clean',
      files: { 'main.mjs': 'export class Plugin { hello() { return "hi"; } }' },
    });
    await directory.writePlugin({
      id: 'com.test.shell',
      files: {
        'main.mjs':
          'import { execSync } from "node:child_process";\nexport class Plugin { run() { return execSync("ls").toString(); } }',
      },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, validator: new PluginValidator() });
    expect((await loader.loadPlugin('com.test.clean')).status).toBe('loaded');
    const error = await loader.loadPlugin('com.test.shell').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginValidationError);
    const result = (error as PluginValidationError).validationResult;
    expect(result.valid).toBe(false);
    expect(result.findings.some((finding) => finding.capability === 'shell')).toBe(true);
    const state = loader.getPluginState('com.test.shell');
    expect(state?.status).toBe('failed');
    expect(state?.instance).toBeNull();
    expect(state?.error).toBe(error);
  });

  it('skips the validator when validate is false', async () => {
    await directory.writePlugin({
      id: 'com.test.shell',
      files: {
        'main.mjs':
          'import { execSync } from "node:child_process";\nexport class Plugin { run() { return typeof execSync; } }',
      },
    });
    loader = new PluginLoader({ pluginDirectory: directory.path, validator: new PluginValidator() });
    expect((await loader.loadPlugin('com.test.shell', { validate: false })).status).toBe('loaded');
  });

  it('refuses a valid plugin above the risk threshold, and reuses a verdict while the files are unchanged', async () => {
    await directory.writePlugin({ id: 'com.test.risky' });
    await directory.writePlugin({ id: 'com.test.fine' });
    const validator = createTableValidator({ 'com.test.risky': { riskLevel: 'high', securityScore: 45 } });
    loader = new PluginLoader({ pluginDirectory: directory.path, validator, maxRiskLevel: 'medium' });
    const error = await loader.loadPlugin('com.test.risky').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginValidationError);
    expect((error as PluginValidationError).message).toContain('risk level high');
    await loader.loadPlugin('com.test.fine');
    await loader.unloadPlugin('com.test.fine');
    await loader.loadPlugin('com.test.fine');
    await loader.reloadPlugin('com.test.fine');
    expect(validator.calls).toEqual(['com.test.risky', 'com.test.fine']);
  });

  it("takes a validator that answers synchronously, as models' PluginValidatorLike allows", async () => {
    await directory.writePlugin({ id: 'com.test.fine' });
    await directory.writePlugin({ id: 'com.test.refused' });
    const calls: string[] = [];
    const validator: PluginValidatorLike = {
      validatePlugin(_pluginPath, metadata) {
        calls.push(metadata!.plugin_id);
        return metadata?.plugin_id === 'com.test.refused'
          ? validationResult({ valid: false, errors: ['refused by the table'] })
          : validationResult();
      },
    };
    loader = new PluginLoader({ pluginDirectory: directory.path, validator });
    expect((await loader.loadPlugin('com.test.fine')).status).toBe('loaded');
    const error = await loader.loadPlugin('com.test.refused').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginValidationError);
    expect(PluginError.is(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as PluginValidationError).message).toContain('refused by the table');
    expect(loader.getPluginState('com.test.refused')?.status).toBe('failed');
    expect(loader.getPluginState('com.test.refused')?.instance).toBeNull();
    expect(calls).toEqual(['com.test.fine', 'com.test.refused']);
  });

  it('refuses with VALIDATION_FAILED when a synchronous validator throws, and runs no plugin code', async () => {
    await directory.writePlugin({
      id: 'com.test.unchecked',
      files: { 'main.mjs': 'globalThis.__agentplugUncheckedRan = true;\nexport class Plugin {}' },
    });
    const validator: PluginValidatorLike = {
      validatePlugin() {
        throw new Error('validator broke');
      },
    };
    loader = new PluginLoader({ pluginDirectory: directory.path, validator });
    const error = await loader.loadPlugin('com.test.unchecked').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginLoadError);
    expect(PluginError.is(error, 'VALIDATION_FAILED')).toBe(true);
    expect((error as PluginLoadError).message).toContain('validator broke');
    expect(loader.getPluginState('com.test.unchecked')?.status).toBe('failed');
    expect((globalThis as { __agentplugUncheckedRan?: boolean }).__agentplugUncheckedRan).toBeUndefined();
  });
});
