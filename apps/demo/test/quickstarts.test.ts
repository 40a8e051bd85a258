import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
  packPlugin,
} from '@agentplug/marketplace';
import { publishArchive } from '@agentplug/registry-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFolder, examplesFolder } from './run-built-demo';

const repositoryFolder = join(demoFolder, '..', '..');
const requireFromRoot = createRequire(join(repositoryFolder, 'package.json'));
const tscPath = requireFromRoot.resolve('typescript/bin/tsc');
const tsxPath = requireFromRoot.resolve('tsx/cli');
const cliPath = join(repositoryFolder, 'packages', 'cli', 'dist', 'cli.js');

/** The first fenced block of `language` in the section of the root README whose heading starts with `heading`. */
async function extractBlock(heading: string, language: string): Promise<string> {
  const text = await readFile(join(repositoryFolder, 'README.md'), 'utf8');
  const start = text.indexOf(`\n### ${heading}`);
  if (start === -1) throw new Error(`README.md has no section "${heading}"`);
  const next = /\n##/.exec(text.slice(start + 1));
  const section = text.slice(start, next ? start + 1 + next.index : undefined);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section)?.[1];
  if (block === undefined) throw new Error(`section "${heading}" has no ${language} block`);
  return block;
}

interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<CommandResult>((resolve) => {
    execFile(
      command,
      [...args],
      {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        timeout: 120_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('the quick starts in the root README, run against the built packages', () => {
  const publishToken = randomBytes(16).toString('hex');
  const keys = generateSigningKeyPair();
  let marketplace: MarketplaceServer;
  let workFolder: string;

  beforeAll(async () => {
    workFolder = await mkdtemp(join(tmpdir(), 'agentplug-quickstarts-'));
    marketplace = await createMarketplaceServer({
      storeDirectory: join(workFolder, 'store'),
      signingKey: keys.privateKey,
      publishToken,
    });
    for (const folder of ['mathlib-v1', 'mathlib-v2', 'calculator', 'hello']) {
      const { archive } = await packPlugin(join(examplesFolder, folder));
      await publishArchive(archive, { marketplaceUrl: marketplace.url, token: publishToken });
    }
  });

  afterAll(async () => {
    await marketplace?.close();
    await rm(workFolder, { recursive: true, force: true });
  });

  it('the host quick start type-checks and installs, loads and invokes the calculator', async () => {
    const code = await extractBlock('Host authors', 'ts');
    // Inside the demo's node_modules, so `@agentplug/*` resolve to the built packages the demo depends on.
    const scriptFolder = join(demoFolder, 'node_modules', `.quickstart-${randomBytes(4).toString('hex')}`);
    const hostFolder = join(workFolder, 'host');
    await mkdir(scriptFolder, { recursive: true });
    await mkdir(hostFolder, { recursive: true });
    const scriptPath = join(scriptFolder, 'host.mts');
    await writeFile(scriptPath, code);
    try {
      const typecheck = await run(
        process.execPath,
        [
          tscPath,
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          '--target',
          'es2022',
          '--module',
          'nodenext',
          '--moduleResolution',
          'nodenext',
          '--types',
          'node',
          scriptPath,
        ],
        { cwd: scriptFolder },
      );
      expect(typecheck.stdout + typecheck.stderr).toBe('');
      expect(typecheck.exitCode).toBe(0);

      const host = await run(process.execPath, [tsxPath, scriptPath], {
        cwd: hostFolder,
        env: {
          AGENTPLUG_MARKETPLACE: marketplace.url,
          AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
          XDG_CACHE_HOME: join(workFolder, 'cache'),
        },
      });
      expect(host.stderr).toBe('');
      expect(host.exitCode).toBe(0);
      expect(host.stdout).toBe(
        'installed com.example.mathlib@2.1.0, com.example.calculator@2.0.0\n2 + 2 * 3 = 8\n',
      );
    } finally {
      await rm(scriptFolder, { recursive: true, force: true });
    }
  });

  it('the plugin author quick start goes from agentplug init to a published, searchable plugin', async () => {
    const commands = await extractBlock('Plugin authors', 'sh');
    const authorFolder = join(workFolder, 'author');
    const binFolder = join(authorFolder, 'node_modules', '.bin');
    await mkdir(binFolder, { recursive: true });
    await symlink(cliPath, join(binFolder, 'agentplug'));
    // @agentplug/* are not on the npm registry yet, so `npm install` is replaced by linking what it
    // would install: the built sdk, models and cli of this repository, and TypeScript.
    const linkDependencies = [
      'mkdir -p node_modules/@agentplug node_modules/.bin',
      ...['sdk', 'models', 'cli'].map(
        (name) => `ln -s "${join(repositoryFolder, 'packages', name)}" node_modules/@agentplug/${name}`,
      ),
      `ln -s "${dirname(dirname(tscPath))}" node_modules/typescript`,
      `ln -s "${tscPath}" node_modules/.bin/tsc`,
      `ln -s "${cliPath}" node_modules/.bin/agentplug`,
    ].join(' && ');
    const script = commands
      .split('\n')
      .map((line) => line.replace(/\s+#.*$/, '').trim())
      .filter((line) => line.length > 0)
      .map((line) => (line === 'npm install' ? linkDependencies : line))
      .map((line) => line.replaceAll('http://127.0.0.1:8080/', marketplace.url))
      .join('\n');
    expect(script).toContain('npx agentplug init my-plugin');
    const result = await run('sh', ['-e', '-c', script], {
      cwd: authorFolder,
      env: {
        AGENTPLUG_TOKEN: publishToken,
        AGENTPLUG_TRUSTED_KEYS: keys.publicKey,
        XDG_CACHE_HOME: join(workFolder, 'cache'),
        XDG_CONFIG_HOME: join(workFolder, 'config'),
        npm_config_update_notifier: 'false',
      },
    });
    expect(result.stderr.replace(/^npm warn .*\n/gm, '')).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/# pass 2\n# fail 0/);
    expect(result.stdout).toContain('VALID: security score');
    expect(result.stdout).toMatch(/packed com\.acme\.my-plugin@0\.1\.0/);
    expect(result.stdout).toContain(`published com.acme.my-plugin@0.1.0 to ${marketplace.url}`);
    expect(result.stdout).toMatch(/com\.acme\.my-plugin\s+0\.1\.0\s+tool\s+100/);
  });
});
