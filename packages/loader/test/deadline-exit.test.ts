import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const script = fileURLToPath(new URL('./helpers/deadline-exit.ts', import.meta.url));
const packageFolder = fileURLToPath(new URL('..', import.meta.url));

async function runScript(mode: string): Promise<{ output: unknown; elapsedMs: number }> {
  const started = performance.now();
  const { stdout } = await run(
    process.execPath,
    ['--conditions=@agentplug/source', '--import', 'tsx', script, mode],
    {
      cwd: packageFolder,
      // Well under the 120 s limit of the settled calls: a timer of theirs left armed would get the child killed.
      timeout: 60_000,
    },
  );
  return { output: JSON.parse(stdout.trim()), elapsedMs: performance.now() - started };
}

// Child processes, because what is asserted is whether the process exits: vitest's own timers
// would keep a worker alive whatever the loader does.
describe('time limits of in-thread calls and the life of the process', () => {
  it('let the process exit as soon as the limited calls have settled', async () => {
    const { output, elapsedMs } = await runScript('settled');
    expect(output).toEqual({ results: ['now', 'later'] });
    expect(elapsedMs).toBeLessThan(60_000);
  }, 90_000);

  it('keep the process alive while a limited call is pending, until its TIMEOUT', async () => {
    const { output } = await runScript('pending');
    expect(output).toEqual({ code: 'TIMEOUT', atLeastTheLimit: true });
  }, 90_000);
});
