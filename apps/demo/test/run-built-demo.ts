import { execFile } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo package's folder. */
export const demoFolder: string = fileURLToPath(new URL('..', import.meta.url));

/** The repository's example plugins. */
export const examplesFolder: string = fileURLToPath(new URL('../../../examples/plugins', import.meta.url));

/** What a run of the built demo printed and how it ended. */
export interface DemoRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

function newestModification(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Runs `node dist/main.js` (the built demo, against the built packages) with the given arguments.
 * Fails at once when the build is missing or older than the demo's sources, since `turbo run test`
 * builds first but a bare `vitest run` does not.
 */
export async function runBuiltDemo(args: readonly string[] = []): Promise<DemoRun> {
  const mainPath = join(demoFolder, 'dist', 'main.js');
  if (!existsSync(mainPath) || statSync(mainPath).mtimeMs < newestModification(join(demoFolder, 'src'))) {
    throw new Error(
      'apps/demo/dist is missing or stale: run `pnpm exec turbo run test --filter=@agentplug/demo` (builds first)',
    );
  }
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [mainPath, ...args],
      {
        cwd: demoFolder,
        timeout: 90_000,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ exitCode, stdout, stderr, durationMs: performance.now() - started });
      },
    );
  });
}
