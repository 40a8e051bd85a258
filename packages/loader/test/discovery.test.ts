import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

let first: TemporaryPluginDirectory;
let second: TemporaryPluginDirectory;

beforeEach(async () => {
  first = await createPluginDirectory();
  second = await createPluginDirectory();
});

afterEach(async () => {
  await first.remove();
  await second.remove();
});

describe('discoverPlugins', () => {
  it('finds every sub-folder with a plugin.json across several directories, ignoring other folders', async () => {
    await first.writePlugin({ id: 'com.test.alpha' });
    await first.writePlugin({ id: 'com.test.beta' });
    await second.writePlugin({ id: 'com.test.gamma' });
    await mkdir(join(first.path, 'not-a-plugin'));
    await writeFile(join(first.path, 'README.md'), 'not a folder');
    const loader = new PluginLoader({ pluginDirectory: [first.path, second.path] });
    const plugins = await loader.discoverPlugins();
    expect(plugins.map((plugin) => plugin.plugin_id)).toEqual([
      'com.test.alpha',
      'com.test.beta',
      'com.test.gamma',
    ]);
    expect(loader.getDiscoveryProblems()).toEqual([]);
    expect(loader.getVersions('com.test.beta').map((plugin) => plugin.version)).toEqual(['1.0.0']);
    expect(loader.getVersions('com.test.none')).toEqual([]);
  });

  it('reports broken manifests with folder and reason and never hides the others', async () => {
    await first.writePlugin({ id: 'com.test.good' });
    const badJson = join(first.path, 'bad-json');
    await mkdir(badJson);
    await writeFile(join(badJson, 'plugin.json'), '{ "plugin_id": ');
    const badSchema = await first.writePlugin({ id: 'com.test.invalid', manifest: { version: 'one' } });
    const loader = new PluginLoader({ pluginDirectory: first.path });
    const result = await loader.discover();
    expect(result.plugins.map((plugin) => plugin.metadata.plugin_id)).toEqual(['com.test.good']);
    expect(result.plugins[0]?.pluginPath).toBe(join(first.path, 'com.test.good'));
    expect(result.problems.map((problem) => [problem.path, problem.code])).toEqual([
      [badJson, 'MANIFEST_UNREADABLE'],
      [badSchema, 'MANIFEST_INVALID'],
    ]);
    expect(result.problems[1]?.message).toContain('$.version');
    expect(loader.getDiscoveryProblems()).toEqual(result.problems);
  });

  it('reports duplicate plugin ids and keeps the first folder', async () => {
    await first.writePlugin({ id: 'com.test.twin', folderName: 'a-twin' });
    const duplicate = await second.writePlugin({ id: 'com.test.twin', folderName: 'b-twin' });
    const loader = new PluginLoader({ pluginDirectory: [first.path, second.path] });
    const result = await loader.discover();
    expect(result.plugins.map((plugin) => plugin.pluginPath)).toEqual([join(first.path, 'a-twin')]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ path: duplicate, code: 'DUPLICATE_PLUGIN' });
    expect(result.problems[0]?.message).toContain(join(first.path, 'a-twin'));
  });

  it('reports a missing plugin directory as a problem and still scans the others', async () => {
    await second.writePlugin({ id: 'com.test.alpha' });
    const missing = join(first.path, 'does-not-exist');
    const loader = new PluginLoader({ pluginDirectory: [missing, second.path] });
    const result = await loader.discover();
    expect(result.plugins.map((plugin) => plugin.metadata.plugin_id)).toEqual(['com.test.alpha']);
    expect(result.problems.map((problem) => [problem.path, problem.code])).toEqual([
      [missing, 'INVALID_ARGUMENT'],
    ]);
  });

  it('discovers on demand when loadPlugin names a plugin not yet discovered', async () => {
    await first.writePlugin({ id: 'com.test.alpha' });
    const loader = new PluginLoader({ pluginDirectory: first.path });
    const state = await loader.loadPlugin('com.test.alpha');
    expect(state.status).toBe('loaded');
    await loader.close();
  });

  it('sees a changed manifest on re-discovery, and a caller mutating a result does not change the next one', async () => {
    await first.writePlugin({ id: 'com.test.alpha' });
    const loader = new PluginLoader({ pluginDirectory: first.path });
    const [before] = await loader.discoverPlugins();
    expect(before?.version).toBe('1.0.0');
    if (before) before.name = 'mutated by a caller';
    const [again] = await loader.discoverPlugins();
    expect(again?.name).toBe('com.test.alpha');
    await first.writePlugin({ id: 'com.test.alpha', manifest: { version: '1.1.0' } });
    const [after] = await loader.discoverPlugins();
    expect(after?.version).toBe('1.1.0');
  });
});
