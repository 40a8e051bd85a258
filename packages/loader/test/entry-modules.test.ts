import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

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

const shapes: Record<string, Record<string, string>> = {
  'a Plugin class (ESM)': {
    'main.mjs':
      'export class Plugin { constructor(m, c) { this.id = m.plugin_id; this.c = c; } hello() { return this.id; } }',
  },
  'a createPlugin factory (ESM)': {
    'main.mjs': 'export function createPlugin(m) { return { hello: () => m.plugin_id }; }',
  },
  'an async createPlugin factory': {
    'main.mjs':
      'export async function createPlugin(m) { await new Promise((r) => setTimeout(r, 1)); return { hello: () => m.plugin_id }; }',
  },
  'a default class': {
    'main.mjs':
      'export default class { constructor(m) { this.id = m.plugin_id; } hello() { return this.id; } }',
  },
  'a default factory': {
    'main.mjs': 'export default (m) => ({ hello: () => m.plugin_id });',
  },
  'CommonJS exports.Plugin': {
    'main.cjs':
      'exports.Plugin = class { constructor(m) { this.id = m.plugin_id; } hello() { return this.id; } };',
  },
  'CommonJS module.exports = class': {
    'main.cjs':
      'module.exports = class { constructor(m) { this.id = m.plugin_id; } hello() { return this.id; } };',
  },
  'CommonJS module.exports = { createPlugin }': {
    'main.cjs': 'module.exports = { createPlugin: (m) => ({ hello: () => m.plugin_id }) };',
  },
  'an old-style constructor function': {
    'main.cjs':
      'function P(m) { this.id = m.plugin_id; } P.prototype.hello = function () { return this.id; }; module.exports = P;',
  },
  'a folder entry (main/index.js, CommonJS package)': {
    'package.json': '{ "type": "commonjs" }',
    'main/index.js':
      'const helper = require("./helper.js"); exports.Plugin = class { constructor(m) { this.id = helper(m); } hello() { return this.id; } };',
    'main/helper.js': 'module.exports = (m) => m.plugin_id;',
  },
};

describe('entry modules', () => {
  for (const [name, files] of Object.entries(shapes)) {
    it(`instantiates ${name}`, async () => {
      await directory.writePlugin({ id: 'com.test.shape', files });
      const state = await loader.loadPlugin('com.test.shape');
      expect(await (state.instance as { hello(): Promise<string> | string }).hello()).toBe('com.test.shape');
    });
  }

  it('refuses a module with nothing to instantiate with ENTRY_INVALID', async () => {
    await directory.writePlugin({ id: 'com.test.shape', files: { 'main.mjs': 'export const answer = 42;' } });
    const error = await loader.loadPlugin('com.test.shape').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_INVALID')).toBe(true);
    expect(loader.getPluginState('com.test.shape')?.status).toBe('failed');
  });

  it('refuses a factory that returns nothing with ENTRY_INVALID', async () => {
    await directory.writePlugin({
      id: 'com.test.shape',
      files: { 'main.mjs': 'export function createPlugin() { return 3; }' },
    });
    const error = await loader.loadPlugin('com.test.shape').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'ENTRY_INVALID')).toBe(true);
  });

  it('refuses a missing entry module with ENTRY_NOT_FOUND and a syntax error with LOAD_FAILED', async () => {
    await directory.writePlugin({ id: 'com.test.missing', files: { 'other.mjs': '' } });
    await directory.writePlugin({ id: 'com.test.syntax', files: { 'main.mjs': 'export class Plugin {' } });
    const missing = await loader.loadPlugin('com.test.missing').catch((caught: unknown) => caught);
    expect(PluginError.is(missing, 'ENTRY_NOT_FOUND')).toBe(true);
    const syntax = await loader.loadPlugin('com.test.syntax').catch((caught: unknown) => caught);
    expect(PluginError.is(syntax, 'LOAD_FAILED')).toBe(true);
    expect((syntax as PluginError).message).toContain('main.mjs');
  });
});
