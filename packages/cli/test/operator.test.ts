import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginLoader } from '@agentplug/loader';
import { packPlugin } from '@agentplug/registry-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isRegistryWorkFile, snapshotFolder } from './folder-snapshot';
import { REPO_ROOT, runAgentplug, runProcess, TSX_LOADER_URL } from './run-agentplug';
import { type StaticMarketplace, startStaticMarketplace } from './static-marketplace';
import { writePlugin } from './write-plugin';

// The operator's path through the command line, each step a subprocess with no terminal, the way a
// deploy script runs it: configuration that survives updates, consent that compares with what was
// granted, a lock file that restores a folder exactly, local installs, and output that never
// ends in a stack trace.

const TIMEOUT_MS = 300_000;
const GREETER = 'com.example.greeter';
const schema = {
  type: 'object',
  properties: { greeting: { type: 'string', default: 'Hello' }, shout: { type: 'boolean', default: false } },
};

let workspace: string;
let marketplace: StaticMarketplace;

async function createCase(): Promise<{ plugins: string; env: Record<string, string> }> {
  const folder = await mkdtemp(join(workspace, 'case-'));
  const plugins = join(folder, 'plugins');
  await mkdir(plugins);
  return {
    plugins,
    env: {
      AGENTPLUG_MARKETPLACE: marketplace.url,
      AGENTPLUG_TRUSTED_KEYS: marketplace.keys.publicKey,
      AGENTPLUG_PLUGINS_DIR: plugins,
      XDG_CACHE_HOME: join(folder, 'cache'),
      XDG_CONFIG_HOME: join(folder, 'config'),
    },
  };
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-operator-'));
  marketplace = await startStaticMarketplace(workspace);
  const shipped = (greeting: string) => JSON.stringify({ plugin_id: GREETER, config: { greeting } });
  await marketplace.publish({
    pluginId: GREETER,
    version: '1.0.0',
    manifest: { config_schema: schema },
    files: { 'config.json': shipped('Hello') },
  });
  await marketplace.publish({
    pluginId: GREETER,
    version: '1.1.0',
    manifest: { config_schema: schema },
    files: { 'config.json': shipped('Hi') },
  });
  // 1.2.0 adds permissions; 2.0.0 refuses a text greeting.
  await marketplace.publish({
    pluginId: GREETER,
    version: '1.2.0',
    manifest: {
      config_schema: schema,
      permissions: { network_hosts: ['api.example.com'], environment_variables: ['GREETER_TOKEN'] },
    },
  });
  await marketplace.publish({
    pluginId: GREETER,
    version: '2.0.0',
    manifest: { config_schema: { type: 'object', properties: { greeting: { type: 'integer' } } } },
  });
  marketplace.sign();
}, 60_000);

afterAll(async () => {
  await marketplace.close();
  await rm(workspace, { recursive: true, force: true });
});

describe('the operator path through agentplug', () => {
  test(
    'edit config, update, config kept: in place and with agentplug config set; the loader reads it',
    async () => {
      const { plugins, env } = await createCase();
      const install = await runAgentplug(['install', `${GREETER}@~1.0.0`, '--yes'], { env });
      expect(install.exitCode, install.stderr).toBe(0);
      // The operator edits the installed config.json, as the seed's documentation says to.
      await writeFile(
        join(plugins, GREETER, 'config.json'),
        JSON.stringify({ plugin_id: GREETER, config: { greeting: 'Bonjour' } }),
      );
      const set = await runAgentplug(['config', 'set', GREETER, 'config.shout', 'true'], { env });
      expect(set.exitCode, set.stderr).toBe(0);
      // ~1.0.0 holds 1.1.0 and later back: update stays inside the recorded range.
      const held = await runAgentplug(['update', '--check'], { env });
      expect(held.stdout).toContain('everything is up to date within the recorded ranges');
      expect(held.stdout).toContain(`${GREETER} 2.0.0 is outside its range ~1.0.0`);
      // The operator widens the range by hand, to below the version that asks for more permissions.
      const lock = JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8'));
      lock.plugins[GREETER].range = '<1.2.0';
      await writeFile(join(plugins, 'agentplug-lock.json'), JSON.stringify(lock));
      const update = await runAgentplug(['update', GREETER, '--yes'], { env });
      expect(update.exitCode, update.stderr).toBe(0);
      expect(update.stdout).toContain(`updated ${GREETER} to 1.1.0`);
      const shown = await runAgentplug(['config', 'get', GREETER, '--json'], { env });
      expect(shown.exitCode, shown.stderr).toBe(0);
      expect(JSON.parse(shown.stdout)).toMatchObject({
        version: '1.1.0',
        operator_config_path: join(plugins, 'agentplug-config', `${GREETER}.json`),
        effective: { config: { greeting: 'Bonjour', shout: true } },
      });
      expect((await runAgentplug(['config', 'get', GREETER, 'config.greeting'], { env })).stdout.trim()).toBe(
        '"Bonjour"',
      );
      // For people: the file's path, then the configuration as indented JSON, one key a line.
      const human = await runAgentplug(['config', 'get', GREETER], { env });
      expect(human.exitCode, human.stderr).toBe(0);
      const [heading, file, ...json] = human.stdout.trimEnd().split('\n');
      expect(heading).toBe(`${GREETER}@1.1.0`);
      expect(file).toBe(`operator file: ${join(plugins, 'agentplug-config', `${GREETER}.json`)}`);
      expect(json).toContain('    "greeting": "Bonjour",');
      expect(JSON.parse(json.join('\n'))).toMatchObject({ config: { greeting: 'Bonjour', shout: true } });
      // A host on the same folder, with no extra code, runs with the operator's values.
      const loader = new PluginLoader({ pluginDirectory: plugins });
      await loader.loadPlugin(GREETER);
      await loader.activatePlugin(GREETER);
      expect(await loader.invoke(GREETER, 'greet', { name: 'Ada' })).toBe('Bonjour, Ada!');
      await loader.close();
    },
    TIMEOUT_MS,
  );

  test(
    'an update the new config_schema refuses stops with exit 3, the reason on the first line, nothing changed',
    async () => {
      const { plugins, env } = await createCase();
      expect((await runAgentplug(['install', `${GREETER}@^1.0.0`, '--yes'], { env })).exitCode).toBe(0);
      expect(
        (await runAgentplug(['config', 'set', GREETER, 'config.greeting', 'Bonjour'], { env })).exitCode,
      ).toBe(0);
      const before = await snapshotFolder(plugins, isRegistryWorkFile);
      const refused = await runAgentplug(['update', GREETER, '--latest', '--yes', '--approve-permissions'], {
        env,
      });
      expect(refused.exitCode, refused.stderr).toBe(3);
      expect(refused.stderr.split('\n')[0]).toContain(
        `${GREETER} 2.0.0 was not installed, nothing changed: the configuration of ${GREETER}`,
      );
      expect(refused.stderr.split('\n')[0]).toContain('$.config.greeting: must be integer [CONFIG_INVALID]');
      expect(await snapshotFolder(plugins, isRegistryWorkFile)).toEqual(before);
      // A value the installed schema refuses is refused by config set too, naming what was meant.
      const typo = await runAgentplug(['config', 'set', GREETER, 'greeting', 'x'], { env });
      expect(typo.exitCode).toBe(3);
      expect(typo.stderr).toContain('did you mean "config.greeting"?');
      expect(await snapshotFolder(plugins, isRegistryWorkFile)).toEqual(before);
    },
    TIMEOUT_MS,
  );

  test(
    'an update that widens permissions with no terminal: --yes is refused (exit 6) and nothing changed; --approve-permissions takes it',
    async () => {
      const { plugins, env } = await createCase();
      expect((await runAgentplug(['install', `${GREETER}@1.1.0`, '--yes'], { env })).exitCode).toBe(0);
      const lockPath = join(plugins, 'agentplug-lock.json');
      const lock = JSON.parse(await readFile(lockPath, 'utf8'));
      lock.plugins[GREETER].range = '^1.0.0';
      await writeFile(lockPath, JSON.stringify(lock));
      const before = await snapshotFolder(plugins, isRegistryWorkFile);
      const refused = await runAgentplug(['update', GREETER, '--yes'], { env });
      expect(refused.exitCode, refused.stderr).toBe(6);
      expect(refused.stdout).toContain(`update ${GREETER}@1.2.0 (now 1.1.0)`);
      expect(refused.stdout).toContain(
        '+ new:          environment_variables: GREETER_TOKEN; network_hosts: api.example.com',
      );
      expect(refused.stdout).toContain('This widens the permissions granted');
      expect(refused.stderr.split('\n')[0]).toMatch(
        /widens granted permissions.*\[PERMISSIONS_ESCALATED\] — .*--approve-permissions/,
      );
      expect(await snapshotFolder(plugins, isRegistryWorkFile)).toEqual(before);
      const approved = await runAgentplug(['update', GREETER, '--yes', '--approve-permissions', '--json'], {
        env,
      });
      expect(approved.exitCode, approved.stderr).toBe(0);
      expect(JSON.parse(approved.stdout)).toMatchObject({
        updates: [{ plugin_id: GREETER, current_version: '1.1.0', available_version: '1.2.0' }],
      });
      const recorded = JSON.parse(await readFile(lockPath, 'utf8')).plugins[GREETER];
      expect(recorded.permissions.network_hosts).toEqual(['api.example.com']);
      expect(recorded.range).toBe('^1.0.0');
    },
    TIMEOUT_MS,
  );

  test(
    'agentplug install with no argument restores onto an empty folder byte for byte; ci asks before removing',
    async () => {
      const source = await createCase();
      expect(
        (await runAgentplug(['install', `${GREETER}@latest`, '--yes', '--approve-permissions'], source))
          .exitCode,
      ).toBe(0);
      const local = await writePlugin(join(workspace, 'local-sources'), {
        pluginId: 'com.example.local',
        version: '0.3.0',
      });
      const localInstall = await runAgentplug(['install', local, '--yes'], source);
      expect(localInstall.exitCode, localInstall.stderr).toBe(0);
      const expected = await snapshotFolder(source.plugins, isRegistryWorkFile);
      expect(Object.keys(expected)).toContain(join(GREETER, 'plugin.json'));

      const target = await createCase();
      await cp(join(source.plugins, 'agentplug-lock.json'), join(target.plugins, 'agentplug-lock.json'));
      const restored = await runAgentplug(['install'], target);
      expect(restored.exitCode, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('the plugin folder matches the lock file (2 plugins)');
      expect(await snapshotFolder(target.plugins, isRegistryWorkFile)).toEqual(expected);

      // A folder the lock file does not list: ci asks, declines without a terminal, changes nothing.
      await writePlugin(target.plugins, { pluginId: 'com.example.stray', version: '1.0.0' });
      const withStray = await snapshotFolder(target.plugins, isRegistryWorkFile);
      const declined = await runAgentplug(['ci'], target);
      expect(declined.exitCode).toBe(6);
      expect(declined.stdout).toContain('remove com.example.stray-1.0.0 (not in the lock file)');
      expect(await snapshotFolder(target.plugins, isRegistryWorkFile)).toEqual(withStray);
      const cleaned = await runAgentplug(['ci', '--yes', '--json'], target);
      expect(cleaned.exitCode, cleaned.stderr).toBe(0);
      expect(JSON.parse(cleaned.stdout)).toMatchObject({
        removed: ['com.example.stray-1.0.0'],
        installed: [],
      });
      expect(await snapshotFolder(target.plugins, isRegistryWorkFile)).toEqual(expected);

      // No lock file: a usage error, nothing created.
      const empty = await createCase();
      const none = await runAgentplug(['ci'], empty);
      expect(none.exitCode).toBe(2);
      expect(await readdir(empty.plugins)).toEqual([]);
    },
    TIMEOUT_MS,
  );

  test(
    'install ./plugin.tgz and ./folder validate, ask and record a file: source with its hash',
    async () => {
      const { plugins, env } = await createCase();
      const folder = await writePlugin(join(workspace, 'offline'), {
        pluginId: 'com.example.offline',
        version: '1.0.0',
        permissions: { network_hosts: ['offline.example'] },
      });
      const packed = await packPlugin(folder);
      const archive = join(workspace, 'offline', 'com.example.offline-1.0.0.tgz');
      await writeFile(archive, packed.archive);
      const declined = await runAgentplug(['install', archive], { env });
      expect(declined.exitCode).toBe(6);
      expect(declined.stdout).toContain('install com.example.offline@1.0.0');
      expect(declined.stdout).toMatch(/security score: \d+\/100/);
      expect(declined.stdout).toContain('network_hosts: offline.example');
      // Only the registry's own work folder exists: no plugin folder, no lock file.
      expect(await readdir(plugins)).toEqual(['.agentplug']);
      expect(await snapshotFolder(plugins, isRegistryWorkFile)).toEqual({});
      const installed = await runAgentplug(['install', archive, '--yes', '--json'], { env });
      expect(installed.exitCode, installed.stderr).toBe(0);
      expect(JSON.parse(installed.stdout)).toMatchObject({
        plugin_id: 'com.example.offline',
        installed: [{ plugin_id: 'com.example.offline', version: '1.0.0' }],
      });
      const lock = JSON.parse(await readFile(join(plugins, 'agentplug-lock.json'), 'utf8'));
      expect(lock.plugins['com.example.offline']).toMatchObject({
        source: `file:${archive}`,
        sha256: packed.sha256,
        size: packed.size,
      });
      // A folder that fails validation is refused with its own path in the message.
      const risky = await writePlugin(join(workspace, 'risky-local'), {
        pluginId: 'com.example.risky',
        version: '1.0.0',
        code: "import { execSync } from 'node:child_process';\nexport function createPlugin() { return { greet: () => execSync('id').toString() }; }\n",
      });
      const refused = await runAgentplug(['install', risky, '--yes'], { env });
      expect(refused.exitCode).toBe(3);
      expect(refused.stderr).not.toContain('.agentplug/staging');
      expect(refused.stderr.split('\n')[0]).toContain(`${join(risky, 'main.js')}:1:`);
    },
    TIMEOUT_MS,
  );

  test(
    "validate names the user's own files; a closed pipe ends quietly; @latest and JSON keys in snake_case",
    async () => {
      const { plugins, env } = await createCase();
      const broken = await writePlugin(join(workspace, 'broken'), {
        pluginId: 'com.example.broken',
        version: '1.0.0',
      });
      const manifest = JSON.parse(await readFile(join(broken, 'plugin.json'), 'utf8'));
      await writeFile(join(broken, 'plugin.json'), JSON.stringify({ ...manifest, entry_point: 'missing' }));
      const validated = await runAgentplug(['validate', broken, '--json'], { env });
      expect(validated.exitCode).toBe(3);
      expect(validated.stdout + validated.stderr).not.toContain('agentplug-shipped-');
      const report = JSON.parse(validated.stdout);
      expect(report).toHaveProperty('security_score');
      expect(report).not.toHaveProperty('securityScore');
      expect(report.plugin_path).toBe(broken);
      // The report for people names the user's own file (here absolute: it is outside the current folder).
      const human = await runAgentplug(['validate', broken], { env });
      expect(human.exitCode).toBe(3);
      expect(human.stdout).toContain(`${join(broken, 'plugin.json')} $.entry_point:`);
      expect(human.stdout + human.stderr).not.toContain('agentplug-shipped-');

      // Enough installed plugins that `list --json` outgrows a pipe's buffer, then a reader that leaves.
      for (let index = 0; index < 150; index += 1) {
        await writePlugin(plugins, { pluginId: `com.example.many${index}`, version: '1.0.0' });
      }
      const child = spawn(
        process.execPath,
        [
          '--conditions=@agentplug/source',
          `--import=${TSX_LOADER_URL}`,
          join(REPO_ROOT, 'packages/cli/src/cli.ts'),
          'list',
          '--json',
        ],
        { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      child.stdout.once('data', () => child.stdout.destroy());
      const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
      expect(stderr).toBe('');
      expect(exitCode).toBe(0);
      // The shell's own closed pipe, before a byte is read: `agentplug search x | head -0`.
      const piped = await runProcess(
        'bash',
        [
          '-o',
          'pipefail',
          '-c',
          `"${process.execPath}" --conditions=@agentplug/source --import=${TSX_LOADER_URL} "${join(REPO_ROOT, 'packages/cli/src/cli.ts')}" search greeter | head -0`,
        ],
        { cwd: workspace, env },
      );
      expect(piped.stderr).toBe('');
      expect(piped.exitCode).toBe(0);
    },
    TIMEOUT_MS,
  );
});
