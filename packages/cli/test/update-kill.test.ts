import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
} from '@agentplug/marketplace';
import { packPlugin } from '@agentplug/registry-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runAgentplug, TSX_LOADER_URL } from './run-agentplug';
import { type WritePluginOptions, writePlugin } from './write-plugin';

// `agentplug update` killed (SIGKILL) at moments spread over its work, against the reference
// marketplace: the next command finds the previous version or the new one, whole, the lock file
// saying which, and the operator's configuration as it was. The README claims updates are atomic
// and that a killed one is repaired by the next command; this holds it to that.

const TIMEOUT_MS = 600_000;
const GREETER = 'com.killed.greeter';
/** Milliseconds after the new version appeared in staging, spread over the copy, the swap and the commit. */
const KILL_DELAYS_MS = [0, 10, 30, 80, 160, 320];

let workspace: string;
let server: MarketplaceServer;
let env: Record<string, string>;
/** A plugin folder with 1.0.0 installed and configured, copied before each run. */
let pristine: string;
/** The plugin's folder and the operator's file, as a clean update leaves them. */
let updatedTree: Record<string, string>;
let pristineTree: Record<string, string>;

/** The plugin's own folder and the operator's configuration, by path and bytes. */
async function pluginTree(plugins: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const folder of [GREETER, 'agentplug-config']) {
    for (const entry of await readdir(join(plugins, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      files[path.slice(plugins.length + 1)] = (await readFile(path)).toString('base64');
    }
  }
  return files;
}

async function publish(options: WritePluginOptions): Promise<void> {
  const folder = await writePlugin(join(workspace, 'sources'), options);
  await server.publish((await packPlugin(folder)).archive);
}

/** The plugin directory's top level, the registry's own work folder and the revocation record left out. */
async function topLevel(plugins: string): Promise<string[]> {
  return (await readdir(plugins))
    .filter((name) => name !== '.agentplug' && name !== 'agentplug-revocations.json')
    .sort();
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-update-kill-'));
  const keys = generateSigningKeyPair();
  server = await createMarketplaceServer({
    storeDirectory: join(workspace, 'store'),
    port: 0,
    signingKey: keys,
    statsResignDelayMs: 0,
    refreshIntervalMs: 0,
  });
  const schema = (properties: Record<string, unknown>) => ({
    config_schema: { type: 'object', properties, additionalProperties: false },
  });
  // Files to copy and hash, so the update's last steps take long enough to be cut into.
  const data = (seed: string) =>
    Object.fromEntries(
      Array.from({ length: 200 }, (_, index) => [`data-${index}.json`, `"${seed}${index}"`]),
    );
  await publish({
    pluginId: GREETER,
    version: '1.0.0',
    manifest: schema({ greeting: { type: 'string', default: 'Hello' } }),
    files: data('a'),
  });
  pristine = join(workspace, 'pristine');
  env = {
    AGENTPLUG_MARKETPLACE: server.url,
    AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
    XDG_CACHE_HOME: join(workspace, 'cache'),
    XDG_CONFIG_HOME: join(workspace, 'config'),
  };
  const setup = { env: { ...env, AGENTPLUG_PLUGINS_DIR: pristine } };
  expect((await runAgentplug(['install', `${GREETER}@^1.0.0`, '--yes'], setup)).exitCode).toBe(0);
  expect((await runAgentplug(['config', 'set', GREETER, 'config.greeting', 'Bonjour'], setup)).exitCode).toBe(
    0,
  );
  pristineTree = await pluginTree(pristine);
  // Published once 1.0.0 is installed, as a new version is.
  await publish({
    pluginId: GREETER,
    version: '1.1.0',
    manifest: schema({ greeting: { type: 'string' }, punctuation: { type: 'string', default: '!' } }),
    files: data('b'),
  });
  const clean = join(workspace, 'clean');
  await cp(pristine, clean, { recursive: true });
  const updated = await runAgentplug(['update', '--yes'], { env: { ...env, AGENTPLUG_PLUGINS_DIR: clean } });
  expect(updated.exitCode, updated.stderr).toBe(0);
  updatedTree = await pluginTree(clean);
  expect(updatedTree).not.toEqual(pristineTree);
}, TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('an update killed at any moment', () => {
  test(
    'leaves the previous version or the new one, whole and recorded, with the configuration as it was',
    async () => {
      for (const [run, delay] of KILL_DELAYS_MS.entries()) {
        const plugins = join(workspace, `run-${run}`);
        await cp(pristine, plugins, { recursive: true });
        const runEnv = { ...env, AGENTPLUG_PLUGINS_DIR: plugins };
        const child = spawn(
          process.execPath,
          [
            '--conditions=@agentplug/source',
            `--import=${TSX_LOADER_URL}`,
            join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts'),
            'update',
            '--yes',
          ],
          { env: { ...process.env, ...runEnv }, stdio: 'ignore' },
        );
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // The moment the verified download is copied into staging: what is left is the copy, the
        // swap and the lock file write (the commit), which the kills are spread over.
        const staging = join(plugins, '.agentplug', 'staging');
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            readdir(staging)
              .catch(() => [] as string[])
              .then((names) => {
                if (names.some((name) => name.startsWith(GREETER))) finish();
              });
          }, 2);
          const finish = (): void => {
            clearInterval(timer);
            resolve();
          };
          child.once('exit', finish);
        });
        await new Promise((resolve) => setTimeout(resolve, delay));
        child.kill('SIGKILL');
        await exited;

        // The next command repairs what the kill left; then the folder is one version, whole.
        const list = await runAgentplug(['list', '--json'], { env: runEnv });
        expect(list.exitCode, list.stderr).toBe(0);
        const [listed] = JSON.parse(list.stdout) as { version: string }[];
        const lock = JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8'));
        expect(lock.plugins[GREETER].version, `run ${run}`).toBe(listed?.version);
        expect(await pluginTree(plugins), `run ${run}`).toEqual(
          listed?.version === '1.1.0' ? updatedTree : pristineTree,
        );
        expect(await topLevel(plugins)).toEqual(['agentplug-config', 'agentplug-lock.json', GREETER]);
        // The lock file says exactly what the folder holds: a restore has nothing to do.
        const restore = await runAgentplug(['ci', '--json'], { env: runEnv });
        expect(restore.exitCode, restore.stderr).toBe(0);
        expect(JSON.parse(restore.stdout)).toMatchObject({ installed: [], removed: [] });
      }
    },
    TIMEOUT_MS,
  );
});
