import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO_ROOT, runAgentplug, runProcess, TSX_LOADER_URL } from './run-agentplug';

let workspace: string;

beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'agentplug-cli-init-'));
});

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true });
});

/**
 * What `npm install` would do for a project whose sdk is a local checkout (`--sdk-path`): link
 * the workspace's packages and tools, so the test needs no registry and no network.
 */
async function linkDependencies(projectPath: string): Promise<void> {
  const links: Record<string, string> = {
    '@agentplug/sdk': join(REPO_ROOT, 'packages', 'sdk'),
    '@agentplug/models': join(REPO_ROOT, 'packages', 'models'),
    '@agentplug/loader': join(REPO_ROOT, 'packages', 'loader'),
    typescript: join(REPO_ROOT, 'node_modules', 'typescript'),
    '@types/node': join(REPO_ROOT, 'node_modules', '@types', 'node'),
  };
  for (const [name, target] of Object.entries(links)) {
    const linkPath = join(projectPath, 'node_modules', name);
    await mkdir(join(linkPath, '..'), { recursive: true });
    await symlink(target, linkPath, 'junction');
  }
  await mkdir(join(projectPath, 'node_modules', '.bin'), { recursive: true });
  await symlink('../typescript/bin/tsc', join(projectPath, 'node_modules', '.bin', 'tsc'));
  // The project's `agentplug` (the build script runs it): this checkout's CLI, from source.
  await writeFile(
    join(projectPath, 'node_modules', '.bin', 'agentplug'),
    `#!/bin/sh\nexec "${process.execPath}" --conditions=@agentplug/source --import=${TSX_LOADER_URL} "${join(REPO_ROOT, 'packages', 'cli', 'src', 'cli.ts')}" "$@"\n`,
    { mode: 0o755 },
  );
}

describe('agentplug init', () => {
  test('creates a project that builds, passes its own test, validates and packs', async () => {
    const projectPath = join(workspace, 'hello-world');
    const created = await runAgentplug([
      'init',
      projectPath,
      '--id',
      'com.example.hello-world',
      '--author',
      'Tests',
      '--sdk-path',
      join(REPO_ROOT, 'packages', 'sdk'),
      '--json',
    ]);
    expect(created.stderr).toBe('');
    expect(created.exitCode).toBe(0);
    expect(JSON.parse(created.stdout).files).toEqual(
      expect.arrayContaining([
        'package.json',
        'tsconfig.json',
        'plugin.json',
        'src/main.ts',
        'test/plugin.test.mjs',
      ]),
    );
    const manifest = JSON.parse(await readFile(join(projectPath, 'plugin.json'), 'utf8'));
    expect(manifest).toMatchObject({
      $schema: './node_modules/@agentplug/models/plugin.schema.json',
      plugin_id: 'com.example.hello-world',
      plugin_type: 'tool',
      entry_point: 'dist/main',
      capabilities: [{ name: 'greet', parameters: { required: ['name'] } }],
    });

    await linkDependencies(projectPath);
    const sourceEnv = { NODE_OPTIONS: `--conditions=@agentplug/source --import=${TSX_LOADER_URL}` };
    const build = await runProcess('npm', ['run', 'build'], { cwd: projectPath, env: sourceEnv });
    expect(build.stdout + build.stderr).not.toMatch(/error TS/);
    expect(build.exitCode).toBe(0);
    const ownTest = await runProcess('npm', ['test'], { cwd: projectPath, env: sourceEnv });
    expect(ownTest.stdout).toMatch(/^(?:# |ℹ )pass 3$/m);
    expect(ownTest.exitCode).toBe(0);

    const [validate, pack] = await Promise.all([
      runAgentplug(['validate', projectPath, '--json']),
      runAgentplug(['pack', projectPath, '--out-dir', workspace, '--json'], { env: sourceEnv }),
    ]);
    expect(validate.exitCode).toBe(0);
    expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, passed: true, risk_level: 'low' });
    expect(pack.stderr).toBe('');
    expect(pack.exitCode).toBe(0);
    const packed = JSON.parse(pack.stdout);
    expect(packed).toMatchObject({
      plugin_id: 'com.example.hello-world',
      version: '0.1.0',
      manifest: 'matched',
    });
    const archive = await readFile(packed.archive_path);
    expect(packed.size).toBe(archive.length);
    expect(packed.sha256).toBe(createHash('sha256').update(archive).digest('hex'));
    expect(packed.files).toContain('dist/main.js');
    expect(packed.files.some((file: string) => file.startsWith('node_modules/'))).toBe(false);

    // plugin.json drifting from the code is caught by pack, and --write-manifest repairs it.
    manifest.capabilities[0].description = 'Something else';
    await writeFile(join(projectPath, 'plugin.json'), JSON.stringify(manifest));
    const drifted = await runAgentplug(['pack', projectPath, '--out-dir', workspace], { env: sourceEnv });
    expect(drifted.exitCode).toBe(3);
    expect(drifted.stderr).toMatch(/^error: plugin\.json does not match the code: .*CAPABILITY_MISMATCH/);
    expect(drifted.stderr).toContain('--write-manifest');
    // The archive packed above is replaced: --yes, as there is no terminal to ask.
    const repaired = await runAgentplug(
      ['pack', projectPath, '--out-dir', workspace, '--write-manifest', '--yes'],
      { env: sourceEnv },
    );
    expect(repaired.exitCode).toBe(0);
    expect(repaired.stdout).toContain('plugin.json: regenerated from the sdk definition');
    expect(
      JSON.parse(await readFile(join(projectPath, 'plugin.json'), 'utf8')).capabilities[0].description,
    ).toBe('Greets someone by name');
  }, 240_000);

  test.each(['engine', 'middleware', 'integration', 'custom'])(
    'a %s project type-checks, bundles and passes its own isolated test as generated',
    async (pluginType) => {
      const projectPath = join(workspace, `typed-${pluginType}`);
      const created = await runAgentplug([
        'init',
        projectPath,
        '--type',
        pluginType,
        '--sdk-path',
        join(REPO_ROOT, 'packages', 'sdk'),
      ]);
      expect(created.exitCode).toBe(0);
      const manifest = JSON.parse(await readFile(join(projectPath, 'plugin.json'), 'utf8'));
      expect(manifest.plugin_type).toBe(pluginType);
      const packageJson = JSON.parse(await readFile(join(projectPath, 'package.json'), 'utf8'));
      expect(packageJson.version).toBe(manifest.version);
      await linkDependencies(projectPath);
      const sourceEnv = { NODE_OPTIONS: `--conditions=@agentplug/source --import=${TSX_LOADER_URL}` };
      const build = await runProcess('npm', ['run', 'build'], { cwd: projectPath, env: sourceEnv });
      expect(build.stdout + build.stderr).not.toMatch(/error TS/);
      expect(build.exitCode).toBe(0);
      const ownTest = await runProcess('npm', ['test'], { cwd: projectPath, env: sourceEnv });
      expect(ownTest.stdout + ownTest.stderr).toMatch(/^(?:# |ℹ )fail 0$/m);
      expect(ownTest.stdout).toMatch(
        pluginType === 'middleware' ? /^(?:# |ℹ )pass 4$/m : /^(?:# |ℹ )pass 3$/m,
      );
      expect(ownTest.exitCode).toBe(0);
    },
    240_000,
  );

  test('refuses a folder that is not empty and an id that is not reverse-DNS, exit 2', async () => {
    const busy = join(workspace, 'busy');
    await mkdir(busy, { recursive: true });
    await writeFile(join(busy, 'keep.txt'), 'mine');
    const [notEmpty, badId] = await Promise.all([
      runAgentplug(['init', busy]),
      runAgentplug(['init', join(workspace, 'bad-id'), '--id', 'NotReverseDns']),
    ]);
    expect(notEmpty.exitCode).toBe(2);
    expect(notEmpty.stderr).toMatch(/^error: .*busy is not empty: choose a new folder or pass --force/);
    expect(await readFile(join(busy, 'keep.txt'), 'utf8')).toBe('mine');
    expect(badId.exitCode).toBe(2);
    expect(badId.stderr).toMatch(/^error: plugin id "NotReverseDns" is not reverse-DNS/);
  });
});
