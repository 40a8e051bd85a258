import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const sdkFolder = fileURLToPath(new URL('..', import.meta.url));
const repositoryFolder = join(sdkFolder, '..', '..');
const tsxLoader = pathToFileURL(join(repositoryFolder, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
const greeter = join(sdkFolder, 'src', 'testing', '__fixtures__', 'greeter');

let project: string;

/** A project whose node_modules hold the sdk and its dependencies, as npm installs them, and no loader. */
beforeAll(async () => {
  project = await mkdtemp(join(tmpdir(), 'agentplug-sdk-no-loader-'));
  const sdk = join(project, 'node_modules', '@agentplug', 'sdk');
  await mkdir(sdk, { recursive: true });
  // A copy, not a link: a link would find the workspace's loader beside the real sdk folder.
  await cp(join(sdkFolder, 'package.json'), join(sdk, 'package.json'));
  await cp(join(sdkFolder, 'src'), join(sdk, 'src'), { recursive: true });
  // The sdk's own dependencies, as npm would install them.
  await symlink(
    join(repositoryFolder, 'packages', 'models'),
    join(project, 'node_modules', '@agentplug', 'models'),
  );
  await symlink(await realpath(join(sdkFolder, 'node_modules', 'zod')), join(project, 'node_modules', 'zod'));
});

afterAll(async () => {
  await rm(project, { recursive: true, force: true });
});

function runInProject(code: string): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--conditions=@agentplug/source', `--import=${tsxLoader}`, '--input-type=module', '--eval', code],
    { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr })));
}

describe('@agentplug/loader is an optional peer of @agentplug/sdk', () => {
  it('declares the loader as an optional peer, not a dependency', async () => {
    const manifest = JSON.parse(await readFile(join(sdkFolder, 'package.json'), 'utf8'));
    expect(manifest.dependencies['@agentplug/loader']).toBeUndefined();
    expect(manifest.peerDependencies['@agentplug/loader']).toBeDefined();
    expect(manifest.peerDependenciesMeta['@agentplug/loader']).toEqual({ optional: true });
  });

  it('imports the main entry and the testing entry without the loader; createTestHost says to install it', async () => {
    const result = await runInProject(`
      const sdk = await import('@agentplug/sdk');
      const testing = await import('@agentplug/sdk/testing');
      console.log(typeof sdk.definePlugin, typeof testing.createTestHost);
      try {
        await testing.createTestHost({ pluginPath: ${JSON.stringify(greeter)} });
        console.log('loaded');
      } catch (error) {
        console.log(JSON.stringify({ code: error.code, message: error.message, hint: error.hint }));
      }
    `);
    expect(result.stderr).toBe('');
    const [types, failure] = result.stdout.trim().split('\n');
    expect(types).toBe('function function');
    expect(JSON.parse(failure ?? '{}')).toEqual({
      code: 'PACKAGE_MISSING',
      message:
        '@agentplug/sdk/testing runs plugins in @agentplug/loader, which is not installed: npm install --save-dev @agentplug/loader',
      hint: 'Install the package the message names (an optional peer dependency) next to this one.',
    });
    expect(result.exitCode).toBe(0);
  }, 60_000);
});
