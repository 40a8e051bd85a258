import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginLoader } from '@agentplug/loader';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
} from '@agentplug/marketplace';
import { packPlugin } from '@agentplug/registry-client';
import type { SigningKeyPair } from '@agentplug/registry-client/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRegistryWorkFile, snapshotFolder } from './folder-snapshot';
import { runAgentplug, runAgentplugOnTerminal } from './run-agentplug';
import { type WritePluginOptions, writePlugin } from './write-plugin';

/** The registry's work folder and the revocations it records at each check change with every command. */
function isLeftOut(path: string): boolean {
  return isRegistryWorkFile(path) || path === 'agentplug-revocations.json';
}

// The update path as an operator walks it, each step the CLI as a subprocess against the reference
// marketplace server, publishing new versions between steps: configuration across versions that
// add a key or refuse a value, uninstall and reinstall, permissions narrowed then widened again
// (with and without a terminal), revoked versions, ranges, and dependencies that change permissions.

const TIMEOUT_MS = 300_000;

let workspace: string;
let keys: SigningKeyPair;
let server: MarketplaceServer;

/** Packs a plugin version and publishes it to the marketplace. */
async function publish(options: WritePluginOptions): Promise<void> {
  const folder = await writePlugin(join(workspace, 'sources'), options);
  await server.publish((await packPlugin(folder)).archive);
}

async function createHost(): Promise<{ plugins: string; env: Record<string, string> }> {
  const folder = await mkdtemp(join(workspace, 'host-'));
  const plugins = join(folder, 'plugins');
  await mkdir(plugins);
  return {
    plugins,
    env: {
      AGENTPLUG_MARKETPLACE: server.url,
      AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
      AGENTPLUG_PLUGINS_DIR: plugins,
      XDG_CACHE_HOME: join(folder, 'cache'),
      XDG_CONFIG_HOME: join(folder, 'config'),
    },
  };
}

async function readLock(plugins: string): Promise<Record<string, Record<string, unknown>>> {
  return JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8')).plugins;
}

const GREETER_CODE = `export function createPlugin(metadata, config) {
  return { greet: ({ name }) => config.greeting + ', ' + name + (config.punctuation ?? '.') };
}
`;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-update-journey-'));
  keys = generateSigningKeyPair();
  server = await createMarketplaceServer({
    storeDirectory: join(workspace, 'store'),
    port: 0,
    signingKey: keys,
    statsResignDelayMs: 0,
    refreshIntervalMs: 0,
  });
});

afterAll(async () => {
  await server?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('the update path, walked through agentplug against a real marketplace', () => {
  test(
    'a version adding a config key with a default, one refusing the operator value, uninstall and reinstall: the configuration is kept throughout',
    async () => {
      const GREETER = 'com.journey.greeter';
      const greeting = { type: 'string', default: 'Hello' };
      const version = (number: string, properties: Record<string, unknown>) =>
        publish({
          pluginId: GREETER,
          version: number,
          code: GREETER_CODE,
          manifest: { config_schema: { type: 'object', properties, additionalProperties: false } },
          files: { 'config.json': JSON.stringify({ plugin_id: GREETER, config: { greeting: 'Hello' } }) },
        });
      await version('1.0.0', { greeting });
      const { plugins, env } = await createHost();
      expect((await runAgentplug(['install', GREETER, '--yes'], { env })).exitCode).toBe(0);
      const set = await runAgentplug(['config', 'set', GREETER, 'config.greeting', 'Bonjour'], { env });
      expect(set.exitCode, set.stderr).toBe(0);
      const operatorFile = join(plugins, 'agentplug-config', `${GREETER}.json`);
      const operatorBytes = await readFile(operatorFile, 'utf8');

      // 1.1.0 adds a key with a default: --check changes nothing, the update fills the default in.
      await version('1.1.0', { greeting, punctuation: { type: 'string', default: '!' } });
      const before = await snapshotFolder(plugins, isLeftOut);
      const check = await runAgentplug(['update', '--check'], { env });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(check.stdout).toMatch(new RegExp(`${GREETER}\\s+1\\.0\\.0\\s+1\\.1\\.0\\s+\\^1\\.0\\.0`));
      expect(await snapshotFolder(plugins, isLeftOut)).toEqual(before);
      const updated = await runAgentplug(['update', '--yes'], { env });
      expect(updated.exitCode, updated.stderr).toBe(0);
      expect(await readFile(operatorFile, 'utf8')).toBe(operatorBytes);
      const shown = JSON.parse((await runAgentplug(['config', 'get', GREETER, '--json'], { env })).stdout);
      expect(shown).toMatchObject({
        version: '1.1.0',
        effective: { config: { greeting: 'Bonjour', punctuation: '!' } },
      });

      // 1.2.0 refuses the operator's value: exit 3, nothing changed; fixed, the update goes through.
      await version('1.2.0', { greeting: { ...greeting, maxLength: 5 }, punctuation: { type: 'string' } });
      const kept = await snapshotFolder(plugins, isLeftOut);
      const refused = await runAgentplug(['update', '--yes'], { env });
      expect(refused.exitCode, refused.stderr).toBe(3);
      expect(refused.stderr).toContain(
        '$.config.greeting: must NOT have more than 5 characters [CONFIG_INVALID]',
      );
      expect(await snapshotFolder(plugins, isLeftOut)).toEqual(kept);
      expect(
        (await runAgentplug(['config', 'set', GREETER, 'config.greeting', 'Salut', '--yes'], { env }))
          .exitCode,
      ).toBe(0);
      const fixed = await runAgentplug(['update', '--yes'], { env });
      expect(fixed.exitCode, fixed.stderr).toBe(0);
      expect(fixed.stdout).toContain(`updated ${GREETER} to 1.2.0`);

      // Uninstalled and installed again, the plugin runs with the operator's values (1.2.0 has no
      // default punctuation).
      expect((await runAgentplug(['uninstall', GREETER, '--yes'], { env })).exitCode).toBe(0);
      expect(JSON.parse(await readFile(operatorFile, 'utf8'))).toEqual({ config: { greeting: 'Salut' } });
      const again = await runAgentplug(['install', GREETER, '--yes'], { env });
      expect(again.exitCode, again.stderr).toBe(0);
      const loader = new PluginLoader({ pluginDirectory: plugins });
      try {
        await loader.loadPlugin(GREETER);
        await loader.activatePlugin(GREETER);
        expect(await loader.invoke(GREETER, 'greet', { name: 'Ada' })).toBe('Salut, Ada.');
      } finally {
        await loader.close();
      }
    },
    TIMEOUT_MS,
  );

  test(
    'permissions narrowed, then widened again: --yes takes the narrowing; the widening is refused without a terminal, asked for on one even with --yes',
    async () => {
      const FETCHER = 'com.journey.fetcher';
      const network = { network_hosts: ['api.example.com'] };
      await publish({
        pluginId: FETCHER,
        version: '1.0.0',
        permissions: { ...network, environment_variables: ['TOKEN'] },
      });
      const { plugins, env } = await createHost();
      expect((await runAgentplug(['install', FETCHER, '--yes'], { env })).exitCode).toBe(0);

      await publish({ pluginId: FETCHER, version: '1.1.0', permissions: network });
      const narrowed = await runAgentplug(['update', '--yes'], { env });
      expect(narrowed.exitCode, narrowed.stderr).toBe(0);
      expect(narrowed.stdout).toContain('  - dropped:      environment_variables: TOKEN');
      expect((await readLock(plugins))[FETCHER]).toMatchObject({
        version: '1.1.0',
        permissions: { network_hosts: ['api.example.com'], environment_variables: [] },
      });

      // What was dropped is new again: granted once is not granted for ever.
      await publish({
        pluginId: FETCHER,
        version: '1.2.0',
        permissions: { ...network, environment_variables: ['TOKEN'] },
      });
      const before = await snapshotFolder(plugins, isLeftOut);
      const refused = await runAgentplug(['update', '--yes'], { env });
      expect(refused.exitCode).toBe(6);
      expect(refused.stdout).toContain('  + new:          environment_variables: TOKEN');
      expect(refused.stderr).toContain('[PERMISSIONS_ESCALATED]');
      expect(await snapshotFolder(plugins, isLeftOut)).toEqual(before);

      const prompt = `Update ${FETCHER}@1.2.0, granting the new permissions marked +? [y/N]`;
      const declined = await runAgentplugOnTerminal(['update', '--yes'], { env, prompt, answer: 'n' });
      expect(declined.exitCode, declined.stdout).toBe(6);
      expect(declined.stdout).toContain('declined: nothing was changed [DECLINED]');
      expect(await snapshotFolder(plugins, isLeftOut)).toEqual(before);
      const approved = await runAgentplugOnTerminal(['update', '--yes'], { env, prompt, answer: 'y' });
      expect(approved.exitCode, approved.stdout).toBe(0);
      expect(approved.stdout).toContain(`updated ${FETCHER} to 1.2.0`);
      expect((await readLock(plugins))[FETCHER]).toMatchObject({
        version: '1.2.0',
        permissions: { environment_variables: ['TOKEN'] },
      });
    },
    TIMEOUT_MS,
  );

  test(
    'a dependency whose update adds permissions needs approval and stays a dependency; revoked versions are passed over; --latest leaves the range',
    async () => {
      const APP = 'com.journey.app';
      const LIBRARY = 'com.journey.library';
      const needsLibrary = { dependencies: [{ plugin_id: LIBRARY, version_constraint: '^1.0.0' }] };
      await publish({ pluginId: LIBRARY, version: '1.0.0' });
      await publish({ pluginId: APP, version: '1.0.0', manifest: needsLibrary });
      const { plugins, env } = await createHost();
      const installed = await runAgentplug(['install', `${APP}@~1.0.0`, '--yes'], { env });
      expect(installed.exitCode, installed.stderr).toBe(0);
      expect((await readLock(plugins))[LIBRARY]).toMatchObject({ requested: false, range: '*' });

      await publish({
        pluginId: LIBRARY,
        version: '1.1.0',
        permissions: { environment_variables: ['LIBRARY_TOKEN'] },
      });
      await publish({
        pluginId: LIBRARY,
        version: '1.2.0',
        permissions: { environment_variables: ['LIBRARY_TOKEN'] },
      });
      await server.revoke(LIBRARY, '1.2.0', { reason: 'leaks the token', severity: 'critical' });
      await publish({ pluginId: APP, version: '1.0.1', manifest: needsLibrary });
      await publish({ pluginId: APP, version: '2.0.0', manifest: needsLibrary });

      const check = await runAgentplug(['update', '--check', '--json'], { env });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(JSON.parse(check.stdout)).toEqual({
        updates: [
          { plugin_id: APP, current_version: '1.0.0', available_version: '1.0.1', range: '~1.0.0' },
          { plugin_id: LIBRARY, current_version: '1.0.0', available_version: '1.1.0', range: '*' },
        ],
        held_back: [expect.objectContaining({ plugin_id: APP, latest_version: '2.0.0', range: '~1.0.0' })],
        revoked: [],
      });
      // Both updates are shown and consented to at once: the library's new permission, refused,
      // holds back the app's update too.
      const before = await snapshotFolder(plugins, isLeftOut);
      const refused = await runAgentplug(['update', '--yes'], { env });
      expect(refused.exitCode).toBe(6);
      expect(refused.stdout).toContain(`update ${APP}@1.0.1 (now 1.0.0)`);
      expect(refused.stderr).toContain(`${LIBRARY}@1.1.0 adds environment_variables: LIBRARY_TOKEN`);
      expect(refused.stderr).toContain('so nothing was changed');
      expect(await snapshotFolder(plugins, isLeftOut)).toEqual(before);
      const approved = await runAgentplug(['update', '--yes', '--approve-permissions'], { env });
      expect(approved.exitCode, approved.stderr).toBe(0);
      // Updated, it is still there for the app's sake: a dependency, in the range its dependents allow.
      expect((await readLock(plugins))[APP]).toMatchObject({ version: '1.0.1', range: '~1.0.0' });
      expect((await readLock(plugins))[LIBRARY]).toMatchObject({
        version: '1.1.0',
        requested: false,
        range: '*',
        permissions: { environment_variables: ['LIBRARY_TOKEN'] },
      });

      const within = await runAgentplug(['update', APP, '--yes'], { env });
      expect(within.exitCode, within.stderr).toBe(0);
      expect(within.stdout).toContain('everything is up to date within the recorded ranges');
      expect(within.stdout).toContain(`${APP} 2.0.0 is outside its range ~1.0.0`);
      const latest = await runAgentplug(['update', APP, '--latest', '--yes'], { env });
      expect(latest.exitCode, latest.stderr).toBe(0);
      expect((await readLock(plugins))[APP]).toMatchObject({
        version: '2.0.0',
        range: '^2.0.0',
        requested: true,
      });
      // Asking for a narrower range of what is installed records it.
      const pinned = await runAgentplug(['install', `${APP}@2.0.0`, '--yes'], { env });
      expect(pinned.exitCode, pinned.stderr).toBe(0);
      expect(pinned.stdout).toContain(`recorded ${APP}@2.0.0 anew in the lock file`);
      expect((await readLock(plugins))[APP]).toMatchObject({ version: '2.0.0', range: '2.0.0' });
      // An older version asked for by name is shown as the downgrade it is (and asked for).
      const older = await runAgentplug(['install', `${APP}@1.0.1`], { env });
      expect(older.exitCode).toBe(6);
      expect(older.stdout).toContain(`downgrade ${APP}@1.0.1 (now 2.0.0)`);
    },
    TIMEOUT_MS,
  );

  test(
    'a later update the configuration stops: exit 3, the message naming the update done before it, that plugin untouched',
    async () => {
      const ALPHA = 'com.journey.alpha';
      const BETA = 'com.journey.beta';
      const schema = (greeting: Record<string, unknown>) => ({
        config_schema: { type: 'object', properties: { greeting }, additionalProperties: false },
      });
      await publish({ pluginId: ALPHA, version: '1.0.0' });
      await publish({ pluginId: BETA, version: '1.0.0', manifest: schema({ type: 'string' }) });
      const { plugins, env } = await createHost();
      for (const pluginId of [ALPHA, BETA]) {
        expect((await runAgentplug(['install', pluginId, '--yes'], { env })).exitCode).toBe(0);
      }
      expect(
        (await runAgentplug(['config', 'set', BETA, 'config.greeting', 'Bonjour'], { env })).exitCode,
      ).toBe(0);
      const betaBefore = await snapshotFolder(plugins, isLeftOut).then((files) =>
        Object.fromEntries(Object.entries(files).filter(([path]) => path.includes(BETA))),
      );
      await publish({ pluginId: ALPHA, version: '1.0.1' });
      await publish({ pluginId: BETA, version: '1.0.1', manifest: schema({ type: 'integer' }) });

      const run = await runAgentplug(['update', '--yes'], { env });
      expect(run.exitCode, run.stderr).toBe(3);
      expect(run.stdout).toContain(`updated ${ALPHA} to 1.0.1`);
      const [line] = run.stderr.split('\n');
      expect(line).toContain(`${BETA} 1.0.1 was not installed, nothing changed`);
      expect(line).toContain(`(updated before it: ${ALPHA} 1.0.1) [CONFIG_INVALID]`);
      const lock = await readLock(plugins);
      expect(lock[ALPHA]?.version).toBe('1.0.1');
      expect(lock[BETA]?.version).toBe('1.0.0');
      const betaAfter = await snapshotFolder(plugins, isLeftOut).then((files) =>
        Object.fromEntries(Object.entries(files).filter(([path]) => path.includes(BETA))),
      );
      expect(betaAfter).toEqual(betaBefore);
    },
    TIMEOUT_MS,
  );
});
