import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
} from '@agentplug/marketplace';
import { LOCK_FILE_NAME } from '@agentplug/registry-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runAgentplug, TSX_LOADER_URL } from './run-agentplug';
import { writePlugin } from './write-plugin';

const TOKEN = 'test-publish-token';
const PLUGIN_ID = 'com.example.greeter';

let workspace: string;
let server: MarketplaceServer;
let env: Record<string, string>;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-marketplace-'));
  const keys = generateSigningKeyPair();
  server = await createMarketplaceServer({
    storeDirectory: join(workspace, 'store'),
    port: 0,
    publishToken: TOKEN,
    signingKey: keys,
    statsResignDelayMs: 0,
  });
  env = {
    AGENTPLUG_MARKETPLACE: server.url,
    AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
    AGENTPLUG_PLUGINS_DIR: join(workspace, 'installed'),
    XDG_CACHE_HOME: join(workspace, 'cache'),
    XDG_CONFIG_HOME: join(workspace, 'config'),
  };
});

afterAll(async () => {
  await server?.close();
  await rm(workspace, { recursive: true, force: true });
});

async function installedFolders(): Promise<string[]> {
  return (await readdir(join(workspace, 'installed')).catch(() => [] as string[])).filter(
    (name) => !name.startsWith('.') && name !== LOCK_FILE_NAME,
  );
}

describe('agentplug against a real marketplace on 127.0.0.1', () => {
  test('publish, search, info, install (declined, then --yes), list, update, uninstall', async () => {
    const version1 = await writePlugin(join(workspace, 'src'), { pluginId: PLUGIN_ID, version: '1.0.0' });
    const version2 = await writePlugin(join(workspace, 'src'), {
      pluginId: PLUGIN_ID,
      version: '1.1.0',
      permissions: { network_hosts: ['api.example.com'] },
    });

    const unauthorized = await runAgentplug(['publish', version1, '--token', 'wrong'], { env });
    expect(unauthorized.exitCode).toBe(1);
    expect(unauthorized.stderr).toMatch(
      /^error: the marketplace refused the upload \(HTTP 401\).*\[UNAUTHORIZED\]/,
    );

    const published = await runAgentplug(['publish', version1, '--json'], {
      env: { ...env, AGENTPLUG_TOKEN: TOKEN },
    });
    expect(published.stderr).toBe('');
    expect(published.exitCode).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ plugin_id: PLUGIN_ID, version: '1.0.0' });

    const [search, info, missing] = await Promise.all([
      runAgentplug(['search', 'greets', '--json'], { env }),
      runAgentplug(['info', PLUGIN_ID], { env }),
      runAgentplug(['info', 'com.example.nothing'], { env }),
    ]);
    expect(search.exitCode).toBe(0);
    expect(JSON.parse(search.stdout)).toEqual([
      expect.objectContaining({ plugin_id: PLUGIN_ID, version: '1.0.0' }),
    ]);
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toContain(`Plugin ${PLUGIN_ID} (${PLUGIN_ID})`);
    expect(info.stdout).toMatch(/security score: \d+\/100/);
    expect(info.stdout).toContain(`  page:           ${server.url}plugins/${PLUGIN_ID}/\n`);
    expect(missing.exitCode).toBe(5);
    expect(missing.stderr).toMatch(
      /^error: the marketplace has no plugin com\.example\.nothing \[NOT_FOUND\]/,
    );

    // No terminal and no --yes: the permissions and score are shown, then nothing is installed.
    const declined = await runAgentplug(['install', PLUGIN_ID], { env });
    expect(declined.exitCode).toBe(6);
    expect(declined.stdout).toContain(`${PLUGIN_ID}@1.0.0`);
    expect(declined.stdout).toMatch(/security score: \d+\/100 \(risk low\)/);
    expect(declined.stdout).toContain('permissions:    none');
    expect(declined.stderr).toMatch(
      /^error: installing com\.example\.greeter@1\.0\.0 needs confirmation.*Pass --yes/,
    );
    expect(declined.stderr).toContain('[DECLINED]');
    expect(await installedFolders()).toEqual([]);

    const installed = await runAgentplug(['install', `${PLUGIN_ID}@^1.0.0`, '--yes'], { env });
    expect(installed.stderr).toBe('');
    expect(installed.exitCode).toBe(0);
    // Not a terminal: plain progress lines, no bar.
    expect(installed.stdout).toContain(`downloading ${PLUGIN_ID}@1.0.0`);
    expect(installed.stdout).not.toContain('\r');
    expect(installed.stdout).toContain(`installed ${PLUGIN_ID}@1.0.0`);

    const list = await runAgentplug(['list', '--json'], { env });
    expect(list.exitCode).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ plugin_id: PLUGIN_ID, version: '1.0.0' }),
    ]);

    await runAgentplug(['publish', version2], { env: { ...env, AGENTPLUG_TOKEN: TOKEN } });
    const [check, noRange] = await Promise.all([
      runAgentplug(['update', '--check', '--json'], { env }),
      runAgentplug(['install', `${PLUGIN_ID}@^2.0.0`, '--yes'], { env }),
    ]);
    expect(JSON.parse(check.stdout)).toEqual({
      updates: [
        { plugin_id: PLUGIN_ID, current_version: '1.0.0', available_version: '1.1.0', range: '^1.0.0' },
      ],
      held_back: [],
      revoked: [],
    });
    expect(noRange.exitCode).toBe(5);
    expect(noRange.stderr).toMatch(
      /no published, non-yanked version of com\.example\.greeter matches \^2\.0\.0/,
    );

    const updateDeclined = await runAgentplug(['update', PLUGIN_ID], { env });
    expect(updateDeclined.exitCode).toBe(6);
    expect(updateDeclined.stdout).toContain('+ new:          network_hosts: api.example.com');
    // 1.1.0 adds a permission: --yes alone does not grant it, and nothing changes.
    const notApproved = await runAgentplug(['update', PLUGIN_ID, '--yes'], { env });
    expect(notApproved.exitCode).toBe(6);
    expect(notApproved.stderr).toContain('[PERMISSIONS_ESCALATED]');
    expect(JSON.parse((await runAgentplug(['list', '--json'], { env })).stdout)[0].version).toBe('1.0.0');
    const updated = await runAgentplug(['update', PLUGIN_ID, '--yes', '--approve-permissions'], { env });
    expect(updated.exitCode).toBe(0);
    expect(updated.stdout).toContain(`updated ${PLUGIN_ID} to 1.1.0`);
    const afterUpdate = JSON.parse((await runAgentplug(['list', '--json'], { env })).stdout);
    expect(afterUpdate).toEqual([expect.objectContaining({ plugin_id: PLUGIN_ID, version: '1.1.0' })]);

    const kept = await runAgentplug(['uninstall', PLUGIN_ID], { env });
    expect(kept.exitCode).toBe(6);
    expect(await installedFolders()).toEqual([PLUGIN_ID]);
    const removed = await runAgentplug(['uninstall', PLUGIN_ID, '--yes'], { env });
    expect(removed.exitCode).toBe(0);
    expect(await installedFolders()).toEqual([]);
    const removedAgain = await runAgentplug(['uninstall', PLUGIN_ID, '--yes'], { env });
    expect(removedAgain.exitCode).toBe(5);
  }, 300_000);

  test('a plugin that fails validation: validate exits 3 (text, --json, --sarif) and publish is refused', async () => {
    const risky = await writePlugin(join(workspace, 'risky'), {
      pluginId: 'com.example.risky',
      version: '1.0.0',
      code: `import { execSync } from 'node:child_process';
export function createPlugin() {
  return { greet: ({ name }) => execSync('echo ' + name).toString() + eval(name) };
}
`,
    });
    const [text, json, sarif, publish] = await Promise.all([
      runAgentplug(['validate', risky]),
      runAgentplug(['validate', risky, '--json']),
      runAgentplug(['validate', risky, '--sarif']),
      runAgentplug(['publish', risky, '--token', TOKEN], { env }),
    ]);
    expect(text.exitCode).toBe(3);
    expect(text.stdout).toMatch(/^INVALID: security score \d+\/100, risk \w+/);
    expect(text.stdout).toContain('SHELL_EXEC');
    expect(text.stderr.trim().split('\n')).toHaveLength(1);
    expect(json.exitCode).toBe(3);
    const report = JSON.parse(json.stdout);
    expect(report.passed).toBe(false);
    expect(report.findings.map((finding: { capability: string }) => finding.capability)).toEqual(
      expect.arrayContaining(['shell', 'eval']),
    );
    expect(sarif.exitCode).toBe(3);
    expect(JSON.parse(sarif.stdout)).toMatchObject({ version: '2.1.0', runs: [expect.any(Object)] });
    expect(publish.exitCode).toBe(3);
    expect(publish.stderr).toMatch(
      /^error: the marketplace refused the upload \(HTTP 4\d\d\).*\[VALIDATION_FAILED\]/,
    );
  }, 120_000);

  test('an unreachable marketplace is one line (exit 4); --verbose adds the stack; settings from a config file', async () => {
    const unreachable = { ...env, AGENTPLUG_MARKETPLACE: 'http://127.0.0.1:9/' };
    const [plain, verbose] = await Promise.all([
      runAgentplug(['search', 'x'], { env: unreachable }),
      runAgentplug(['search', 'x', '--verbose'], { env: unreachable }),
    ]);
    expect(plain.exitCode).toBe(4);
    expect(plain.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error: cannot reach http:\/\/127\.0\.0\.1:9\/.*\[NETWORK_ERROR\] — Check the --marketplace URL/,
      ),
    ]);
    expect(verbose.exitCode).toBe(4);
    expect(verbose.stderr).toMatch(/\n\s+at /);

    // The URL and keys can come from a config file instead; a broken config file is a usage error.
    const configPath = join(workspace, 'agentplug-config.json');
    await writeFile(
      configPath,
      JSON.stringify({ marketplace: 'http://127.0.0.1:9/', trustedKeys: [env.AGENTPLUG_TRUSTED_KEYS] }),
    );
    const brokenPath = join(workspace, 'broken-config.json');
    await writeFile(brokenPath, '{ "marketplace": ');
    const withoutEnv = { ...env, AGENTPLUG_MARKETPLACE: undefined, AGENTPLUG_TRUSTED_KEYS: undefined };
    const [fromFile, broken] = await Promise.all([
      runAgentplug(['info', PLUGIN_ID, '--config', configPath], { env: withoutEnv }),
      runAgentplug(['--config', brokenPath, 'search', 'x'], { env: withoutEnv }),
    ]);
    expect(fromFile.exitCode).toBe(4);
    expect(fromFile.stderr).toContain('cannot reach http://127.0.0.1:9/');
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toMatch(/^error: config file .*broken-config\.json is not valid JSON/);
  }, 60_000);

  test('marketplace serve listens, prints its key as JSON, and serves a signed index', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=@agentplug/source',
        `--import=${TSX_LOADER_URL}`,
        join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts'),
        'marketplace',
        'serve',
        '--store',
        join(workspace, 'served-store'),
        '--port',
        '0',
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const firstLine = await new Promise<string>((resolve, reject) => {
        let buffered = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          buffered += chunk;
          if (buffered.includes('\n')) resolve(buffered.split('\n')[0] ?? '');
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      // snake_case keys, as every --json output.
      const started = JSON.parse(firstLine) as { url: string; public_key: string; key_id: string };
      expect(Object.keys(started)).toEqual(['url', 'public_key', 'key_id']);
      expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(started.public_key.length).toBeGreaterThan(20);
      // The server speaks protocol v2 only: its timestamp is what a client fetches first.
      const timestamp = await fetch(new URL('v2/timestamp.json', started.url));
      expect(timestamp.status).toBe(200);
      expect(await timestamp.json()).toMatchObject({ signed: { _type: 'agentplug-timestamp' } });
      expect((await fetch(new URL('index.json', started.url))).status).toBe(404);
    } finally {
      // Stopped and gone before the folder is removed (the database writes until it exits).
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  }, 180_000);
});
