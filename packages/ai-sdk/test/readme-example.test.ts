import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../tooling/testing/readme-example';

// The example runs in a child Node.js, where `ai` is the package's own ai@6 (the ai@7 project's
// alias does not reach it), so it runs in the ai@6 project only (vitest.config.ts).
describe('the agent loop example of the README', () => {
  it('type-checks, runs as written and prints what the README says', { timeout: 120_000 }, async () => {
    const run = await runReadmeExample({
      packageFolder: fileURLToPath(new URL('..', import.meta.url)),
      heading: 'An agent loop',
      examplePlugins: ['hello', 'calculator', 'mathlib-v2'],
    });
    expect(run.typeErrors).toBe('');
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.expectedOutput).toContain('answer:');
    expect(run.stdout).toBe(run.expectedOutput);
  });
});
