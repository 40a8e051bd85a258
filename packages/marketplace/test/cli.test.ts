import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packPlugin } from '@agentplug/registry-client';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createTemporaryFolder,
  snapshotFolder,
  writePluginFolder,
} from '../../registry-client/test/helpers/plugin-fixtures';
import { runCaptured as run } from './helpers/run-captured';
import { readOverHttp, readSignedCatalog } from './helpers/verify-signed-catalog';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

/** Starts `agentplug-marketplace` from source and resolves once it printed its key id line. */
async function startServe(args: readonly string[]): Promise<{
  output: string;
  stop: () => Promise<number | null>;
}> {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentplug/source', '--import', 'tsx', cliPath, 'serve', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, AGENTPLUG_TOKEN: undefined } },
  );
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => {
    errors += chunk.toString();
  });
  const started = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('press Ctrl+C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code}: ${errors}`)));
  });
  try {
    await started;
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    output,
    stop: () => {
      // A child that already exited (a crash) answers its code rather than leaving the test waiting.
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

const STACK_FRAME = /^\s+at /m;

describe('agentplug-marketplace serve', () => {
  // A child process compiled from source (tsx): its start, not the test, takes the time on a
  // loaded machine, so the budget is the subprocess tests' (the stop itself is awaited on 'exit').
  it('starts on the given port, prints the URL and public key, serves verifiable metadata, and stops on SIGTERM', async () => {
    const root = await createTemporaryFolder();
    const serve = await startServe(['--store', join(root, 'store'), '--port', '0', '--engine', 'folder']);
    try {
      const url = /listening on (\S+)/.exec(serve.output)?.[1] ?? '';
      const publicKey = /public key \(trustedKeys\): (\S+)/.exec(serve.output)?.[1] ?? '';
      expect(serve.output).toContain('publishing: disabled (no token)');
      const signed = await readSignedCatalog(readOverHttp(url), publicKey);
      expect(signed.snapshotVersion).toBe(1);
      expect(signed.plugins.size).toBe(0);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  }, 60_000);

  it('spells its flags as agentplug does (--key-file, --max-risk, --token-file) and keeps the old spellings working', async () => {
    const root = await createTemporaryFolder();
    const keyFile = join(root, 'key.json');
    const keygen = await run(['keygen']);
    expect(keygen.exitCode).toBe(0);
    const pair = JSON.parse(keygen.stdout) as { keyId: string; publicKey: string; privateKey: string };
    expect(Object.keys(pair).sort()).toEqual(['keyId', 'privateKey', 'publicKey']);
    await writeFile(keyFile, keygen.stdout);
    await writeFile(join(root, 'token'), 'file-token\n');
    for (const flags of [
      ['--key-file', keyFile, '--max-risk', 'medium', '--token-file', join(root, 'token')],
      ['--key', keyFile, '--max-risk-level', 'medium', '--token', 'flag-token'],
    ]) {
      const serve = await startServe([
        '--store',
        join(root, 'store'),
        '--port',
        '0',
        '--engine',
        'folder',
        ...flags,
      ]);
      expect(serve.output).toContain(`key id: ${pair.keyId}`);
      expect(serve.output).toContain('publishing: enabled (operator bearer token)');
      expect(await serve.stop()).toBe(0);
    }
    // The store's own key file was never created: the given key was used.
    await expect(readFile(join(root, 'store', 'signing-key.json'))).rejects.toThrowError(/ENOENT/);
  }, 60_000);

  it('prints help for serve --help, wherever --help stands, with no stack trace', async () => {
    for (const argv of [
      ['serve', '--help'],
      ['serve', '-h'],
      ['serve', '--store', '--help'],
      ['serve', '--port', 'not-a-port', '--help'],
      ['serve', '--frobnicate', '--help'],
      ['help', 'serve'],
    ]) {
      const result = await run(argv);
      expect(result.exitCode, argv.join(' ')).toBe(0);
      expect(result.stdout).toContain('Usage: agentplug-marketplace serve [options]');
      expect(result.stdout).toContain('--key-file <file>');
      expect(result.stdout).toContain('--max-risk <level>');
      expect(result.stdout).not.toContain('--max-risk-level');
      expect(result.stdout).toContain('agentplug-marketplace serve --store ./store');
      expect(result.stderr).toBe('');
    }
    const top = await run(['--help']);
    expect(top.stdout).toMatch(/serve \[options\][\s\S]*build \[options\][\s\S]*keygen/);
    expect(top.stdout).toContain('Exit codes:');
  });

  it('prints help for serve and --help among any other arguments', async () => {
    const token = fc.oneof(
      fc.constantFrom(
        '--store',
        '--port',
        '--key',
        '--key-file',
        '--max-risk',
        '--token',
        '--json',
        '-x',
        '--',
        '=',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(token, { maxLength: 6 }),
        fc.array(token, { maxLength: 6 }),
        async (before, after) => {
          const result = await run([
            'serve',
            ...before.filter((value) => value !== '--'),
            '--help',
            ...after,
          ]);
          expect(result.exitCode).toBe(0);
          expect(result.stdout).toContain('Usage: agentplug-marketplace serve [options]');
          expect(result.stderr).not.toMatch(STACK_FRAME);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('answers a bad command line with one line naming the problem and exit code 2', async () => {
    const root = await createTemporaryFolder();
    const cases: [string[], RegExp][] = [
      [
        ['serve', '--port', 'abc'],
        /^error: --port must be a port number from 0 to 65535, not "abc" \[INVALID_ARGUMENT\]/,
      ],
      [['serve', '--port', '70000'], /^error: --port must be a port number/],
      [
        ['serve', '--max-risk', 'severe'],
        /^error: --max-risk must be one of low, medium, high, critical, not "severe"/,
      ],
      [
        ['serve', '--min-security-score', 'ten'],
        /^error: --min-security-score must be a number from 0 to 100/,
      ],
      [
        ['serve', '--token-file', join(root, 'missing')],
        /^error: cannot read the token file .*missing \[INVALID_ARGUMENT\]/,
      ],
      [
        ['serve', '--frobnicate'],
        /^error: unknown option '--frobnicate'.*agentplug-marketplace serve --help/,
      ],
      [
        ['serv'],
        /^error: unknown command 'serv' \(Did you mean serve\?\) — run "agentplug-marketplace --help"/,
      ],
      [['build', '--archives', root, '--out', join(root, 'site')], /^error: build needs --key-file <file>/],
      [['build'], /^error: required option '--archives <dir>' not specified/],
    ];
    for (const [argv, message] of cases) {
      const result = await run(argv);
      expect(result.exitCode, argv.join(' ')).toBe(2);
      expect(result.stderr.trim().split('\n'), argv.join(' ')).toEqual([expect.stringMatching(message)]);
      expect(result.stderr).not.toMatch(STACK_FRAME);
    }
    // Nothing was created for a refused command line.
    await expect(readFile(join(root, 'site', 'v2', 'timestamp.json'))).rejects.toThrowError(/ENOENT/);
  });

  it('reports a failure that is not a usage error as one line with exit code 1', async () => {
    const root = await createTemporaryFolder();
    const result = await run([
      'build',
      '--archives',
      join(root, 'no-such-folder'),
      '--out',
      join(root, 'site'),
      '--key-file',
      join(root, 'key.json'),
    ]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*no-such-folder/)]);
  });

  it('keeps the signing key out of what is served: build and serve refuse a key file inside their folders, creating none', async () => {
    const root = await createTemporaryFolder();
    const inOutput = join(root, 'site', 'signing-key.json');
    const build = await run([
      'build',
      '--archives',
      root,
      '--out',
      join(root, 'site'),
      '--key-file',
      inOutput,
    ]);
    expect(build.exitCode).not.toBe(0);
    expect(build.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*inside the output/)]);
    const inStore = join(root, 'store', 'keys', 'key.json');
    const serve = await run(['serve', '--store', join(root, 'store'), '--port', '0', '--key-file', inStore]);
    expect(serve.exitCode).not.toBe(0);
    expect(serve.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: .*inside the store/)]);
    await expect(readFile(inOutput)).rejects.toThrowError(/ENOENT/);
    await expect(readFile(inStore)).rejects.toThrowError(/ENOENT/);
  });
});

/** Runs `agentplug-marketplace` from source as a subprocess with no terminal, as a deploy script does. */
function runSubprocess(
  argv: readonly string[],
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentplug/source', '--import', 'tsx', cliPath, ...argv],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (exitCode) => resolve({ exitCode, stdout, stderr })));
}

describe('agentplug-marketplace build over a previous build', () => {
  it('asks first: with no terminal and no --yes it exits 6 and changes nothing; --yes replaces it', async () => {
    const root = await createTemporaryFolder();
    const archives = join(root, 'archives');
    const plugin = await writePluginFolder(root, { plugin_id: 'com.example.first', version: '1.0.0' });
    await packPlugin(plugin, { outputDirectory: archives });
    const site = join(root, 'site');
    const argv = ['build', '--archives', archives, '--out', site, '--key-file', join(root, 'key.json')];
    // An empty or missing folder replaces nothing: no question.
    const first = await runSubprocess(argv);
    expect(first.exitCode, first.stderr).toBe(0);
    const before = await snapshotFolder(site);
    const second = await writePluginFolder(root, { plugin_id: 'com.example.second', version: '1.0.0' });
    await packPlugin(second, { outputDirectory: archives });

    const refused = await runSubprocess(argv);
    expect(refused.exitCode).toBe(6);
    expect(refused.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error: .*site already holds files .*nothing was changed \[DECLINED\] — .*--yes/,
      ),
    ]);
    expect(refused.stderr).not.toMatch(STACK_FRAME);
    expect(await snapshotFolder(site)).toEqual(before);

    const replaced = await runSubprocess([...argv, '--yes']);
    expect(replaced.exitCode, replaced.stderr).toBe(0);
    // The result line in snake_case, as every JSON the commands print.
    expect(JSON.parse(replaced.stdout)).toMatchObject({
      timestamp_path: join(site, 'v2', 'timestamp.json'),
      plugins: 2,
      versions: 2,
      catalog_pages: 0,
    });
    const keys = JSON.parse(await readFile(join(root, 'key.json'), 'utf8')) as { publicKey: string };
    const signed = await readSignedCatalog(
      async (path) => readFile(join(site, path)).catch(() => undefined),
      keys.publicKey,
    );
    expect([...signed.plugins.keys()].sort()).toEqual(['com.example.first', 'com.example.second']);
  }, 120_000);
});
