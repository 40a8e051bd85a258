import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginLoader } from '@agentplug/loader';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAgentplug } from './run-agentplug';
import { writePlugin } from './write-plugin';

let workspace: string;

// Each test runs the CLI as a subprocess, some twice, and validate loads the plugin in a worker:
// seconds each on a quiet machine, far more on a shared busy one.

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-pack-'));
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

async function archivesIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((name) => name.endsWith('.tgz'));
}

describe('agentplug pack', () => {
  test('--dry-run lists what would ship with sizes, leaves stray files out, and writes nothing', async () => {
    const folder = await writePlugin(workspace, { pluginId: 'com.example.dry', version: '1.0.0' });
    await writeFile(join(folder, '.env'), 'PORT=1\n');
    await mkdir(join(folder, '.git'));
    await writeFile(join(folder, '.git', 'HEAD'), 'ref');
    await writeFile(join(folder, 'server.key'), 'not a key');
    const result = await runAgentplug(['pack', folder, '--dry-run'], { cwd: folder });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const manifestSize = (await readFile(join(folder, 'plugin.json'))).length;
    const mainSize = (await readFile(join(folder, 'main.js'))).length;
    expect(result.stdout).toBe(
      [
        'com.example.dry@1.0.0 would ship 2 files:',
        `  ${`${mainSize} B`.padStart(`${manifestSize} B`.length)}  main.js`,
        `  ${manifestSize} B  plugin.json`,
        `total ${manifestSize + mainSize} B before compression (nothing written: --dry-run)`,
        '',
      ].join('\n'),
    );
    expect(await archivesIn(folder)).toEqual([]);
  }, 120_000);

  test('refuses a file that looks like a credential with a one-line error naming it, exit 3', async () => {
    const folder = await writePlugin(workspace, { pluginId: 'com.example.leaky', version: '1.0.0' });
    const key = ['sk-ant-', 'api03-', 'x'.repeat(40)].join('');
    await writeFile(join(folder, 'config.json'), JSON.stringify({ config: { apiKey: key } }));
    const result = await runAgentplug(['pack', folder, '--out-dir', folder]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr.split('\n')[0]).toMatch(
      /^error: config\.json looks like it holds an Anthropic API key \(line 1\): refusing to pack it \[SECRET_DETECTED\]/,
    );
    expect(await archivesIn(folder)).toEqual([]);
  }, 120_000);

  test('refuses when plugin.json and package.json name different versions, exit 3', async () => {
    const folder = await writePlugin(workspace, { pluginId: 'com.example.drift', version: '1.0.0' });
    await writeFile(join(folder, 'package.json'), JSON.stringify({ name: 'drift', version: '1.1.0' }));
    const result = await runAgentplug(['pack', folder, '--out-dir', folder]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(
      /^error: plugin\.json says version 1\.0\.0 but package\.json says 1\.1\.0: a plugin has one version/,
    );
    expect(await archivesIn(folder)).toEqual([]);
  }, 120_000);

  test('refuses an entry that imports a package that would not ship', async () => {
    const folder = await writePlugin(workspace, {
      pluginId: 'com.example.unbundled',
      version: '1.0.0',
      code: "import { z } from 'zod';\nexport function createPlugin() { return { greet: ({ name }) => z.string().parse(name) }; }\n",
    });
    const result = await runAgentplug(['pack', folder, '--out-dir', folder]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(
      /^error: main\.js imports zod, which would not ship: bundle it with "agentplug build"/,
    );
    expect(await archivesIn(folder)).toEqual([]);
  }, 120_000);

  test('ships the production node_modules of a plugin that imports its packages unbundled; installed, it runs in the worker and the process tier', async () => {
    const folder = await writePlugin(workspace, {
      pluginId: 'com.example.vendored',
      version: '1.0.0',
      code: "import { shout } from 'shouty';\nexport function createPlugin() { return { greet: ({ name }) => shout(name) }; }\n",
    });
    await writeFile(
      join(folder, 'package.json'),
      JSON.stringify({ version: '1.0.0', type: 'module', dependencies: { shouty: '1.0.0' } }),
    );
    const modules = join(folder, 'node_modules');
    await mkdir(join(modules, 'shouty'), { recursive: true });
    await writeFile(
      join(modules, 'shouty', 'package.json'),
      JSON.stringify({ name: 'shouty', type: 'module', main: 'index.js' }),
    );
    await writeFile(
      join(modules, 'shouty', 'index.js'),
      'export const shout = (text) => text.toUpperCase();\n',
    );
    await mkdir(join(modules, 'devtool'), { recursive: true });
    await writeFile(join(modules, 'devtool', 'index.js'), 'dev only');
    const result = await runAgentplug(['pack', folder, '--out-dir', folder, '--json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const packed = JSON.parse(result.stdout);
    expect(packed.files).toEqual([
      'main.js',
      'node_modules/shouty/index.js',
      'node_modules/shouty/package.json',
      'package.json',
      'plugin.json',
    ]);
    // Installed, it runs in each isolation tier from its own node_modules (the host has no shouty).
    const plugins = join(workspace, 'vendored-host', 'plugins');
    await mkdir(plugins, { recursive: true });
    const installed = await runAgentplug(['install', packed.archive_path, '--yes'], {
      env: { AGENTPLUG_PLUGINS_DIR: plugins },
    });
    expect(installed.exitCode, installed.stderr).toBe(0);
    for (const isolation of ['worker', 'process'] as const) {
      const loader = new PluginLoader({ pluginDirectory: plugins });
      try {
        await loader.loadPlugin('com.example.vendored', { isolation });
        await loader.activatePlugin('com.example.vendored');
        expect(await loader.invoke('com.example.vendored', 'greet', { name: 'ada' }), isolation).toBe('ADA');
        expect(loader.getPluginState('com.example.vendored')?.sandbox?.isolation).toBe(isolation);
      } finally {
        await loader.close();
      }
    }
  }, 240_000);
});

describe('agentplug validate: capabilities the code does not implement', () => {
  test('loads a plugin whose code hides its methods in a sandbox with no permissions, and reports the missing one', async () => {
    const folder = await writePlugin(workspace, {
      pluginId: 'com.example.hollow',
      version: '1.0.0',
      // Built at run time: no static check can tell which methods exist.
      code: "export function createPlugin() { return Object.fromEntries([['hello', () => 'hi']]); }\n",
    });
    const result = await runAgentplug(['validate', folder, '--json']);
    expect(result.exitCode).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(false);
    expect(report.errors).toContain(
      'capability "greet" is declared in plugin.json but the loaded plugin has no method "greet" (CAPABILITY_NOT_IMPLEMENTED)',
    );
    const packed = await runAgentplug(['pack', folder, '--out-dir', folder]);
    expect(packed.exitCode).toBe(3);
    expect(await archivesIn(folder)).toEqual([]);
  }, 120_000);

  test('passes a plugin whose loaded instance has every declared capability', async () => {
    const folder = await writePlugin(workspace, {
      pluginId: 'com.example.whole',
      version: '1.0.0',
      code: "export function createPlugin() { return Object.fromEntries([['greet', () => 'hi']]); }\n",
    });
    const result = await runAgentplug(['validate', folder, '--json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
  }, 120_000);
});
