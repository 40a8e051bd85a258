import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoRun, runBuiltDemo } from './run-built-demo';

describe('the built demo, run as a subprocess', () => {
  let run: DemoRun;

  beforeAll(async () => {
    run = await runBuiltDemo();
  });

  it('finishes successfully in under a minute', () => {
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.durationMs).toBeLessThan(60_000);
    expect(run.stdout).toMatch(/== Demo finished: \d+ steps in /);
  });

  it('step 0 lists the example manifests parsed by @agentplug/models', () => {
    expect(run.stdout).toContain('== 0. Example plugins');
    expect(run.stdout).toMatch(/com\.example\.hello\s+1\.0\.0\s+tool\s+main\s+greet/);
    expect(run.stdout).toMatch(
      /com\.example\.calculator\s+2\.0\.0\s+tool\s+calculator\.main\s+arithmetic, scientific\s+com\.example\.mathlib >=2\.0\.0/,
    );
    expect(run.stdout).not.toContain('warning:');
  });

  it('stops after the step given with --step', async () => {
    const partial = await runBuiltDemo(['--step', '0']);
    expect(partial.exitCode).toBe(0);
    expect(partial.stdout).toContain('== Demo finished: 1 steps');
  });

  it('rejects an unknown option with a message and exit code 2', async () => {
    const failed = await runBuiltDemo(['--no-such-option']);
    expect(failed.exitCode).toBe(2);
    expect(failed.stderr).toContain('no-such-option');
  });
});
