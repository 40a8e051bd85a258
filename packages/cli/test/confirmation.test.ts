import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/registry-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { snapshotFolder } from './folder-snapshot';
import { runAgentplug } from './run-agentplug';
import { writePlugin } from './write-plugin';

// Every command that removes or replaces something asks first. Run with no terminal (a deploy
// script), it never waits: without --yes it exits 6 (DECLINED) and changes nothing; with --yes it
// goes ahead. (uninstall, update, ci and install are held to the same in operator.test.ts,
// marketplace.test.ts and exit-codes.test.ts.)

const TIMEOUT_MS = 300_000;
const STACK_FRAME = /^\s+at /m;
let workspace: string;

/** The one line a declined command prints, checked: code, "nothing was changed", and how to go ahead. */
function expectDeclined(result: { exitCode: number | null; stderr: string }): void {
  expect(result.exitCode, result.stderr).toBe(6);
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^error: .*nothing was changed \[DECLINED\] — .*--yes/);
  expect(result.stderr).not.toMatch(STACK_FRAME);
}

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-confirm-'));
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

describe('confirmation and --yes on every command that removes or replaces something', () => {
  test(
    'config set over a value already set, and config unset: refused without --yes, done with it',
    async () => {
      const plugins = join(workspace, 'config-case', 'plugins');
      await mkdir(plugins, { recursive: true });
      const env = { AGENTPLUG_PLUGINS_DIR: plugins, XDG_CONFIG_HOME: join(workspace, 'config-case', 'xdg') };
      const folder = await writePlugin(join(workspace, 'config-case'), {
        pluginId: 'com.example.greeter',
        version: '1.0.0',
      });
      const installed = await runAgentplug(['install', folder, '--yes'], { env });
      expect(installed.exitCode, installed.stderr).toBe(0);
      const operatorFile = join(plugins, 'agentplug-config', 'com.example.greeter.json');

      // A key not set yet is added without a question.
      const added = await runAgentplug(
        ['config', 'set', 'com.example.greeter', 'config.greeting', 'Bonjour'],
        {
          env,
        },
      );
      expect(added.exitCode, added.stderr).toBe(0);
      const before = await readFile(operatorFile, 'utf8');
      expect(JSON.parse(before)).toMatchObject({ config: { greeting: 'Bonjour' } });
      // Setting the same value again replaces nothing: no question either.
      const same = await runAgentplug(
        ['config', 'set', 'com.example.greeter', 'config.greeting', 'Bonjour'],
        {
          env,
        },
      );
      expect(same.exitCode, same.stderr).toBe(0);

      const replace = await runAgentplug(
        ['config', 'set', 'com.example.greeter', 'config.greeting', 'Hallo'],
        {
          env,
        },
      );
      expectDeclined(replace);
      expect(replace.stderr).toContain('replacing config.greeting of com.example.greeter');
      expect(await readFile(operatorFile, 'utf8')).toBe(before);

      const remove = await runAgentplug(['config', 'unset', 'com.example.greeter', 'config.greeting'], {
        env,
      });
      expectDeclined(remove);
      expect(await readFile(operatorFile, 'utf8')).toBe(before);

      const replaced = await runAgentplug(
        ['config', 'set', 'com.example.greeter', 'config.greeting', 'Hallo', '--yes'],
        { env },
      );
      expect(replaced.exitCode, replaced.stderr).toBe(0);
      expect(JSON.parse(await readFile(operatorFile, 'utf8'))).toMatchObject({
        config: { greeting: 'Hallo' },
      });
      const removed = await runAgentplug(
        ['config', 'unset', 'com.example.greeter', 'config.greeting', '-y'],
        {
          env,
        },
      );
      expect(removed.exitCode, removed.stderr).toBe(0);
      const shown = await runAgentplug(['config', 'get', 'com.example.greeter', '--json'], { env });
      expect(JSON.parse(shown.stdout).operator?.config?.greeting).toBeUndefined();
      // Removing a key that is not set removes nothing: it says so, exit 0, no question.
      const absent = await runAgentplug(['config', 'unset', 'com.example.greeter', 'config.greeting'], {
        env,
      });
      expect(absent.exitCode, absent.stderr).toBe(0);
      expect(absent.stdout).toContain('is not set');
    },
    TIMEOUT_MS,
  );

  test(
    'pack over an archive of the same name: refused without --yes (archive untouched), replaced with it',
    async () => {
      const folder = await writePlugin(join(workspace, 'pack-case'), {
        pluginId: 'com.example.packed',
        version: '1.0.0',
      });
      const out = join(workspace, 'pack-case', 'out');
      await mkdir(out);
      const archive = join(out, 'com.example.packed-1.0.0.tgz');
      await writeFile(archive, 'an archive made earlier');
      const refused = await runAgentplug(['pack', folder, '--out-dir', out, '--no-check'], {});
      expectDeclined(refused);
      expect(refused.stderr).toContain(`replacing ${archive}`);
      expect(await readFile(archive, 'utf8')).toBe('an archive made earlier');
      expect(await readdir(out)).toEqual(['com.example.packed-1.0.0.tgz']);

      const replaced = await runAgentplug(
        ['pack', folder, '--out-dir', out, '--no-check', '--yes', '--json'],
        {},
      );
      expect(replaced.exitCode, replaced.stderr).toBe(0);
      const expected = await packPlugin(folder);
      expect(JSON.parse(replaced.stdout)).toMatchObject({ archive_path: archive, sha256: expected.sha256 });
      expect((await readFile(archive)).equals(expected.archive)).toBe(true);
    },
    TIMEOUT_MS,
  );

  test(
    'marketplace build over a previous build: refused without --yes (output untouched), rebuilt with it',
    async () => {
      const root = join(workspace, 'build-case');
      const archives = join(root, 'archives');
      await mkdir(archives, { recursive: true });
      const first = await packPlugin(
        await writePlugin(root, { pluginId: 'com.example.first', version: '1.0.0' }),
      );
      await writeFile(join(archives, first.fileName), first.archive);
      const site = join(root, 'site');
      const argv = [
        'marketplace',
        'build',
        '--archives',
        archives,
        '--out',
        site,
        '--key-file',
        join(root, 'key.json'),
      ];
      const built = await runAgentplug(argv, {});
      expect(built.exitCode, built.stderr).toBe(0);
      const before = await snapshotFolder(site);

      const second = await packPlugin(
        await writePlugin(root, { pluginId: 'com.example.second', version: '1.0.0' }),
      );
      await writeFile(join(archives, second.fileName), second.archive);
      const refused = await runAgentplug(argv, {});
      expectDeclined(refused);
      expect(await snapshotFolder(site)).toEqual(before);

      const rebuilt = await runAgentplug([...argv, '--yes'], {});
      expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
      // Protocol v2: one signed targets folder per plugin listed.
      expect((await readdir(join(site, 'v2', 'targets'))).sort()).toEqual([
        'com.example.first',
        'com.example.second',
      ]);
    },
    TIMEOUT_MS,
  );
});
