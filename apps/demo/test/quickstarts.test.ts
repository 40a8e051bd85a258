import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishWorkspace, REPOSITORY_ROOT } from '../../../tooling/local-registry/publish-workspace';
import { type LocalRegistry, startLocalRegistry } from '../../../tooling/local-registry/start-local-registry';
import { commandLines, type ReadmeBlock, readReadmeBlocks } from './readme-blocks';

// The README's quick starts, typed as a new user types them, against the packages as a release
// publishes them: a real registry (Verdaccio) on 127.0.0.1 holding this workspace's packages,
// npm pointed at it, empty folders, no link into the workspace. Only the marketplace's port is
// changed (0 instead of 8080, so parallel runs cannot collide) and its URL substituted.

/** npm's cache for these runs: kept between local runs (fast), fresh in CI's clone; npx's installs are not kept. */
const npmCache = join(REPOSITORY_ROOT, 'node_modules', '.cache', 'agentplug-quickstarts', 'npm');
const tscPath = createRequire(join(REPOSITORY_ROOT, 'package.json')).resolve('typescript/bin/tsc');

interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runShell(script: string, options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-e', '-c', script], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('close', (code) => resolve({ exitCode: code ?? 1, stdout, stderr }));
  });
}

/** What a user's terminal would have: no npm or pnpm script variables, nothing of this repository on PATH. */
function userEnvironment(registry: LocalRegistry, extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(?:npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|TURBO_|INIT_CWD$|AGENTPLUG_)/i.test(name)) continue;
    env[name] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(REPOSITORY_ROOT))
    .join(delimiter);
  return {
    ...env,
    ...registry.env,
    npm_config_cache: npmCache,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    NO_COLOR: '1',
    ...extra,
  };
}

/** Starts the README's `marketplace serve` line in the background and reads its URL and public key. */
function startMarketplace(
  line: string,
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ child: ChildProcess; url: string; publicKey: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', `exec ${line}`], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let url: string | undefined;
    let errorOutput = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      errorOutput += chunk.toString();
    });
    const timer = setTimeout(() => reject(new Error(`marketplace did not start: ${errorOutput}`)), 300_000);
    createInterface({ input: child.stdout! }).on('line', (text) => {
      url ??= /listening on (\S+)/.exec(text)?.[1];
      const publicKey = /public key \(trustedKeys\): (\S+)/.exec(text)?.[1];
      if (url !== undefined && publicKey !== undefined) {
        clearTimeout(timer);
        resolve({ child, url, publicKey });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`marketplace exited with ${code}: ${errorOutput}`));
    });
  });
}

function stopProcessGroup(child: ChildProcess | undefined): Promise<void> {
  if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    process.kill(-child.pid!, 'SIGTERM');
  });
}

function shellBlocks(blocks: readonly ReadmeBlock[]): ReadmeBlock[] {
  return blocks.filter((block) => block.language === 'sh');
}

describe('the README quick starts, against the packages published to a real registry', () => {
  const publishToken = randomBytes(16).toString('hex');
  let registry: LocalRegistry;
  let workFolder: string;
  let marketplace: { child: ChildProcess; url: string; publicKey: string } | undefined;

  beforeAll(async () => {
    workFolder = await mkdtemp(join(tmpdir(), 'agentplug-quickstarts-'));
    await rm(join(npmCache, '_npx'), { recursive: true, force: true });
    registry = await startLocalRegistry({ folder: join(workFolder, 'registry') });
    await publishWorkspace(registry);
  }, 600_000);

  afterAll(async () => {
    await stopProcessGroup(marketplace?.child);
    await registry?.close();
    await rm(workFolder, { recursive: true, force: true });
  });

  it('plugin author: a marketplace, then init, install, build, test, validate, pack, publish and search', async () => {
    const [serveBlock, authorBlock] = shellBlocks(await readReadmeBlocks(REPOSITORY_ROOT, 'Plugin authors'));
    const [serveLine] = commandLines(serveBlock!);
    expect(serveLine).toBe(
      'npx @agentplug/cli marketplace serve --store ./store --port 8080 --token "$AGENTPLUG_TOKEN"',
    );
    const marketplaceFolder = join(workFolder, 'marketplace');
    await mkdir(marketplaceFolder);
    marketplace = await startMarketplace(serveLine!.replace('--port 8080', '--port 0'), {
      cwd: marketplaceFolder,
      env: userEnvironment(registry, { AGENTPLUG_TOKEN: publishToken }),
    });

    const authorFolder = join(workFolder, 'author');
    await mkdir(authorFolder);
    const lines = commandLines(authorBlock!);
    expect(lines[0]).toBe('npx @agentplug/cli init my-plugin --id com.acme.my-plugin');
    const script = lines
      .map((line) => line.replaceAll('http://127.0.0.1:8080/', marketplace!.url))
      .join('\n');
    const result = await runShell(script, {
      cwd: authorFolder,
      env: userEnvironment(registry, {
        AGENTPLUG_TOKEN: publishToken,
        AGENTPLUG_TRUSTED_KEYS: marketplace.publicKey,
      }),
    });
    const transcript = `${result.stdout}\n--- stderr ---\n${result.stderr}`;
    expect(result.exitCode, transcript).toBe(0);
    expect(result.stdout).toMatch(/^(?:# |ℹ )pass 3\n(?:# |ℹ )fail 0$/m);
    expect(result.stdout).toContain('VALID: security score');
    // The dry run lists what ships: the bundle, the manifests, the readme; no sources, tests or dependencies.
    const dryRun = /would ship \d+ files:\n((?: {2}.*\n)+)/.exec(result.stdout)?.[1] ?? '';
    const shipped = dryRun
      .trim()
      .split('\n')
      .map((line) => line.trim().split(/\s+/).at(-1));
    expect(shipped).toEqual(['README.md', 'config.json', 'dist/main.js', 'package.json', 'plugin.json']);
    expect(result.stdout).toMatch(/packed com\.acme\.my-plugin@0\.1\.0 \(5 files\)/);
    expect(result.stdout).toContain(`published com.acme.my-plugin@0.1.0 to ${marketplace.url}`);
    expect(result.stdout).toMatch(/com\.acme\.my-plugin\s+0\.1\.0\s+tool\s+100/);
  }, 900_000);

  it('host author: install the published plugin from the marketplace, run it in the worker and the process tier', async () => {
    expect(marketplace, 'the plugin author quick start runs first and starts the marketplace').toBeDefined();
    const blocks = await readReadmeBlocks(REPOSITORY_ROOT, 'Host authors');
    const [installBlock, runBlock] = shellBlocks(blocks);
    const code = blocks.find((block) => block.language === 'ts')?.body ?? '';
    const env = userEnvironment(registry, {
      AGENTPLUG_MARKETPLACE: marketplace!.url,
      AGENTPLUG_TRUSTED_KEYS: marketplace!.publicKey,
    });

    const install = await runShell(commandLines(installBlock!).join('\n'), { cwd: workFolder, env });
    expect(install.exitCode, install.stderr).toBe(0);
    const hostFolder = join(workFolder, 'my-host');
    await writeFile(join(hostFolder, 'host.mts'), code);

    // The published types check the README's code (strict, as the host author's editor would).
    const typecheck = await runShell(
      [
        `"${process.execPath}" "${tscPath}" --noEmit --strict --skipLibCheck --target es2022`,
        `--module nodenext --moduleResolution nodenext --types node`,
        `--typeRoots "${join(REPOSITORY_ROOT, 'node_modules', '@types')}" host.mts`,
      ].join(' '),
      { cwd: hostFolder, env },
    );
    expect(typecheck.stdout + typecheck.stderr).toBe('');

    const run = await runShell(commandLines(runBlock!).join('\n'), { cwd: hostFolder, env });
    expect(run.exitCode, `${run.stdout}\n${run.stderr}`).toBe(0);
    // The worker tier, then the process tier (a child process; in its OS sandbox where bubblewrap works).
    expect(run.stdout).toBe('installed com.acme.my-plugin@0.1.0\nHello, Ada!\nprocess Hello, Grace!\n');
    const installedManifest = JSON.parse(
      await readFile(join(hostFolder, 'plugins', 'com.acme.my-plugin', 'plugin.json'), 'utf8'),
    );
    expect(installedManifest.version).toBe('0.1.0');
  }, 900_000);

  it('every other plugin type init makes passes npm install, build and test as generated, against the registry', async () => {
    // The plugin author quick start covers the default type (tool); the others, typed the same way.
    const typesFolder = join(workFolder, 'types');
    await mkdir(typesFolder);
    const env = userEnvironment(registry, {});
    for (const pluginType of ['engine', 'middleware', 'integration', 'custom']) {
      const script = [
        `npx @agentplug/cli init ${pluginType}-plugin --type ${pluginType}`,
        `cd ${pluginType}-plugin`,
        'npm install',
        'npm run build',
        'npm test',
      ].join('\n');
      const result = await runShell(script, { cwd: typesFolder, env });
      expect(result.exitCode, `${pluginType}\n${result.stdout}\n--- stderr ---\n${result.stderr}`).toBe(0);
      // Its own test runs the built plugin in the worker and the process tier (middleware adds one more).
      expect(result.stdout, pluginType).toMatch(
        pluginType === 'middleware'
          ? /^(?:# |ℹ )pass 4\n(?:# |ℹ )fail 0$/m
          : /^(?:# |ℹ )pass 3\n(?:# |ℹ )fail 0$/m,
      );
    }
  }, 1_800_000);
});
