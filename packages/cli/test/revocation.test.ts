import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginLoader } from '@agentplug/loader';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAgentplug } from './run-agentplug';
import { type StaticMarketplace, startStaticMarketplace } from './static-marketplace';

// A version revoked after it was installed, through the command line as subprocesses against a
// protocol v2 marketplace: `update --check` reports it with the reason and records it, and the
// loader then refuses to load it.

const TIMEOUT_MS = 300_000;
const GREETER = 'com.example.greeter';

let workspace: string;
let marketplace: StaticMarketplace;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-revocation-'));
  marketplace = await startStaticMarketplace(workspace);
  await marketplace.publish({ pluginId: GREETER, version: '1.0.0' });
  marketplace.sign();
});

afterAll(async () => {
  await marketplace?.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('a revoked installed plugin', () => {
  test(
    'update --check reports it with severity and reason, records it, and the loader refuses it',
    async () => {
      const plugins = join(workspace, 'plugins');
      const env = {
        AGENTPLUG_MARKETPLACE: marketplace.url,
        AGENTPLUG_TRUSTED_KEYS: marketplace.keys.publicKey,
        AGENTPLUG_PLUGINS_DIR: plugins,
        XDG_CACHE_HOME: join(workspace, 'cache'),
        XDG_CONFIG_HOME: join(workspace, 'config'),
      };
      const install = await runAgentplug(['install', GREETER, '--yes'], { env });
      expect(install.exitCode, install.stderr).toBe(0);
      const clean = await runAgentplug(['update', '--check'], { env });
      expect(clean.exitCode, clean.stderr).toBe(0);
      expect(clean.stdout).not.toContain('REVOKED');

      marketplace.revoke(GREETER, '1.0.0', {
        reason: 'sends \u001b[31mtokens\u001b[0m away',
        severity: 'critical',
      });
      marketplace.sign();
      const check = await runAgentplug(['update', '--check'], { env });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(check.stdout).toContain(`REVOKED ${GREETER} 1.0.0 (critical): sends`);
      // No other version: the advice is not "update".
      expect(check.stdout).toContain(
        `; no newer version to update to: install another ("agentplug info ${GREETER}" lists them) or run "agentplug uninstall ${GREETER}"`,
      );
      // The marketplace's text cannot drive the terminal.
      expect(check.stdout).not.toContain('\u001b[31m');
      const json = await runAgentplug(['update', '--check', '--json'], { env });
      expect(json.exitCode, json.stderr).toBe(0);
      expect(JSON.parse(json.stdout).revoked).toEqual([
        expect.objectContaining({ plugin_id: GREETER, version: '1.0.0', severity: 'critical' }),
      ]);
      const record = JSON.parse(await readFile(join(plugins, 'agentplug-revocations.json'), 'utf8'));
      expect(record.revocations).toEqual([
        expect.objectContaining({ plugin_id: GREETER, version: '1.0.0', severity: 'critical' }),
      ]);

      const loader = new PluginLoader({ pluginDirectory: plugins });
      try {
        const error = await loader.loadPlugin(GREETER).catch((caught: unknown) => caught);
        expect(PluginError.is(error, 'PLUGIN_REVOKED')).toBe(true);
        expect((error as PluginError).message).toContain('tokens');
      } finally {
        await loader.close();
      }
      // A fixed version in range: the advice is the update that takes it.
      await marketplace.publish({ pluginId: GREETER, version: '1.0.1' });
      marketplace.sign();
      const fixed = await runAgentplug(['update', '--check'], { env });
      expect(fixed.stdout).toContain(`REVOKED ${GREETER} 1.0.0 (critical): sends`);
      expect(fixed.stdout).toContain(`; run "agentplug update ${GREETER}"\n`);

      // Installing it again is refused, and nothing is lost.
      const reinstall = await runAgentplug(['install', `${GREETER}@1.0.0`, '--yes'], { env });
      expect(reinstall.exitCode).not.toBe(0);
      expect(reinstall.stderr).toContain('PLUGIN_REVOKED');
      expect(
        JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8')).plugins[GREETER].version,
      ).toBe('1.0.0');
    },
    TIMEOUT_MS,
  );
});
