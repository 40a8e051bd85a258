import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readManifest } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractArchive } from '../src/index';
import { digestFolder } from '../src/registry/tree-digest';
import { startTestServer, type TestServer } from './helpers/hostile-server';
import { createTemporaryFolder } from './helpers/plugin-fixtures';
import type { ChildTask } from './helpers/registry-child';
import {
  catalogOf,
  createSignedMarketplace,
  openRegistry,
  type PublishedPlugin,
  publishPlugin,
  type SignedMarketplace,
} from './helpers/signed-marketplace';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = join(HERE, '..', '..', '..');
const TSX_LOADER = pathToFileURL(join(REPO_ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const CHILD = join(HERE, 'helpers', 'registry-child.ts');
/** Each child is a node process loading TypeScript: seconds each, far more on a busy machine. */
const CHILD_TIMEOUT_MS = 600_000;

interface Child {
  process: ChildProcessByStdio<Writable, Readable, Readable>;
  ready: Promise<void>;
  /** Every JSON line the child printed after "ready", once it exits (null exit code: killed). */
  done: Promise<{
    exitCode: number | null;
    signal: NodeJS.Signals | null;
    results: { ok: boolean; code?: string }[];
    stderr: string;
  }>;
}

function startChild(task: ChildTask): Child {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentplug/source', `--import=${TSX_LOADER}`, CHILD, JSON.stringify(task)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('"ready"')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const done = new Promise<Awaited<Child['done']>>((resolve) => {
    child.on('close', (exitCode, signal) => {
      markReady();
      const results = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { ok: boolean; code?: string });
      resolve({ exitCode, signal, results, stderr });
    });
  });
  return { process: child, ready, done };
}

let server: TestServer;
let marketplace: SignedMarketplace;
let plugins: Record<string, PublishedPlugin>;
/** The content digest each published version must have once installed. */
const expectedDigests = new Map<string, string>();

async function digestOf(plugin: PublishedPlugin): Promise<string> {
  const folder = join(await createTemporaryFolder(), 'x');
  await extractArchive(plugin.archive, folder);
  return digestFolder(folder);
}

beforeAll(async () => {
  server = await startTestServer(() => false);
  marketplace = createSignedMarketplace(server);
  const root = await createTemporaryFolder();
  // Hundreds of files, so copies, renames and removals take long enough to be interrupted midway.
  const bulk = Object.fromEntries(
    Array.from({ length: 150 }, (_, index) => [`assets/file-${index}.txt`, `${index}`.repeat(200)]),
  );
  plugins = {
    alpha: await publishPlugin(root, { plugin_id: 'com.example.alpha', version: '1.0.0' }, bulk),
    beta: await publishPlugin(
      root,
      {
        plugin_id: 'com.example.beta',
        version: '1.0.0',
        dependencies: [{ plugin_id: 'com.example.gamma', version_constraint: '^1.0.0' }],
      },
      bulk,
    ),
    gamma: await publishPlugin(
      root,
      { plugin_id: 'com.example.gamma', version: '1.0.0', permissions: { network_hosts: ['gamma.example'] } },
      bulk,
    ),
  };
  for (const plugin of Object.values(plugins))
    expectedDigests.set(`${plugin.pluginId}@${plugin.version}`, await digestOf(plugin));
  marketplace.serve(catalogOf(Object.values(plugins)), Object.values(plugins));
}, CHILD_TIMEOUT_MS);

afterAll(() => server.close());

/** The plugin directory agrees with its lock file, and every installed folder holds exactly its version's files. */
async function expectConsistent(pluginDirectory: string): Promise<string[]> {
  const registry = openRegistry(dirname(pluginDirectory), server, marketplace);
  const installed = await registry.listInstalledPlugins();
  const lock = await registry.readLockFile();
  const folders = (await readdir(pluginDirectory).catch(() => [] as string[])).filter(
    (name) => !name.startsWith('.') && name !== 'agentplug-lock.json',
  );
  expect(installed.map((manifest) => manifest.plugin_id)).toEqual(folders.sort());
  expect(Object.keys(lock.plugins).sort()).toEqual(folders.sort());
  for (const manifest of installed) {
    expect(lock.plugins[manifest.plugin_id]?.version).toBe(manifest.version);
    expect(await digestFolder(join(pluginDirectory, manifest.plugin_id))).toBe(
      expectedDigests.get(`${manifest.plugin_id}@${manifest.version}`),
    );
  }
  for (const work of ['staging', 'trash', 'backup', 'journal']) {
    expect(await readdir(join(pluginDirectory, '.agentplug', work)).catch(() => [])).toEqual([]);
  }
  await registry.close();
  return folders.sort();
}

describe('several processes on one plugin directory and one cache', () => {
  it(
    'installing the same and different plugins at once ends with a correct tree and lock file, or a clear error',
    async () => {
      for (let round = 0; round < 2; round += 1) {
        const root = await createTemporaryFolder();
        const pluginDirectory = join(root, 'plugins');
        const cacheDirectory = join(root, 'cache');
        const base = {
          pluginDirectory,
          cacheDirectory,
          marketplaceUrl: server.url,
          trustedKey: marketplace.keys.publicKey,
        };
        const ids = [
          'com.example.alpha',
          'com.example.alpha',
          'com.example.beta',
          'com.example.gamma',
          'com.example.alpha',
        ];
        const racers = ids.map((pluginId) =>
          startChild({ ...base, action: 'install', pluginId, waitForGo: true }),
        );
        await Promise.all(racers.map((child) => child.ready));
        for (const child of racers) child.process.stdin.end('go\n');
        const outcomes = await Promise.all(racers.map((child) => child.done));
        for (const outcome of outcomes) {
          expect(outcome.exitCode, outcome.stderr).toBe(0);
          expect(outcome.results).toHaveLength(1);
          const [result] = outcome.results;
          if (result?.ok !== true) expect(result?.code).toBe('INSTALL_LOCKED');
        }
        const present = await expectConsistent(pluginDirectory);
        for (const [index, outcome] of outcomes.entries()) {
          if (outcome.results[0]?.ok === true) expect(present).toContain(ids[index]);
        }
        expect(outcomes.some((outcome) => outcome.results[0]?.ok === true)).toBe(true);
        const manifest = await readManifest(join(pluginDirectory, present[0] as string));
        expect(manifest.manifest.version).toBe('1.0.0');
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'a kill -9 at any moment of installs and uninstalls leaves a tree the next command repairs',
    async () => {
      const root = await createTemporaryFolder();
      const pluginDirectory = join(root, 'plugins');
      const archivePath = join(root, 'alpha.tgz');
      await writeFile(archivePath, plugins.alpha!.archive);
      const kills = 8;
      for (let run = 0; run < kills; run += 1) {
        const child = startChild({
          pluginDirectory,
          cacheDirectory: join(root, 'cache'),
          action: 'cycle',
          pluginId: 'com.example.alpha',
          archivePath,
        });
        await child.ready;
        // Spread the kills over the install and uninstall cycle, which takes tens of milliseconds.
        await new Promise((resolve) => setTimeout(resolve, 150 + ((run * 37) % 200)));
        child.process.kill('SIGKILL');
        const outcome = await child.done;
        expect(outcome.signal).toBe('SIGKILL');
        expect(outcome.results.filter((result) => !result.ok)).toEqual([]);
        await expectConsistent(pluginDirectory);
      }
      const registry = openRegistry(root, server, marketplace);
      const installed = (await registry.listInstalledPlugins()).map((manifest) => manifest.plugin_id);
      if (installed.includes('com.example.alpha'))
        await registry.uninstallPlugin('com.example.alpha', { force: true });
      await registry.installPlugin('com.example.alpha', archivePath, { validate: false });
      expect(
        JSON.parse(await readFile(join(pluginDirectory, 'agentplug-lock.json'), 'utf8')).plugins[
          'com.example.alpha'
        ].version,
      ).toBe('1.0.0');
      await registry.close();
    },
    CHILD_TIMEOUT_MS,
  );
});
