import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalRegistry } from './start-local-registry';

/** The monorepo root. */
export const REPOSITORY_ROOT: string = fileURLToPath(new URL('../..', import.meta.url));

/** What one command printed and how it ended. */
export interface CommandOutput {
  exitCode: number;
  output: string;
}

function runCommand(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CommandOutput> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('close', (code) => resolve({ exitCode: code ?? 1, output }));
  });
}

/** The package manager release commands use (package.json's `packageManager`). */
const PINNED_PNPM_VERSION = '10.34.8';

/**
 * changesets publishes a pnpm workspace with `pnpm publish` (which turns `workspace:^` into real
 * ranges), and turbo runs each task with pnpm; both find pnpm on PATH. Unless that pnpm is the
 * pinned version (none is installed where CI runs pnpm through npx, and a contributor's global
 * pnpm may be another version, which refuses to switch where the registry serves no signature),
 * a folder with a `pnpm` that runs the pinned one through npx goes first on PATH.
 */
async function pathWithPnpm(env: NodeJS.ProcessEnv): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const found = spawnSync('pnpm', ['--version'], { env, encoding: 'utf8', cwd: tmpdir() });
  if (found.status === 0 && found.stdout.trim() === PINNED_PNPM_VERSION) {
    return { path: env.PATH ?? '', cleanup: async () => {} };
  }
  const folder = await mkdtemp(join(tmpdir(), 'agentplug-pnpm-'));
  await writeFile(join(folder, 'pnpm'), `#!/bin/sh\nexec npx --yes pnpm@${PINNED_PNPM_VERSION} "$@"\n`, {
    mode: 0o755,
  });
  return {
    path: `${folder}${delimiter}${env.PATH ?? ''}`,
    cleanup: () => rm(folder, { recursive: true, force: true }),
  };
}

/**
 * Publishes every package of the workspace to a registry with the release's own commands: the
 * build of every package (turbo, cached), then `changeset publish` (without git tags, which a
 * release makes and a rehearsal must not).
 * @throws Error with the command's output when a step fails
 */
export async function publishWorkspace(registry: LocalRegistry): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...registry.env };
  const pnpm = await pathWithPnpm(env);
  env.PATH = pnpm.path;
  try {
    const bin = join(REPOSITORY_ROOT, 'node_modules', '.bin');
    const build = await runCommand(
      join(bin, 'turbo'),
      ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
      env,
    );
    if (build.exitCode !== 0) throw new Error(`building the packages failed:\n${build.output}`);
    const publish = await runCommand(join(bin, 'changeset'), ['publish', '--no-git-tag'], env);
    if (publish.exitCode !== 0 || !publish.output.includes('packages published successfully')) {
      throw new Error(`changeset publish failed:\n${publish.output}`);
    }
    return publish.output;
  } finally {
    await pnpm.cleanup();
  }
}
