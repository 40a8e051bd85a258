import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runReadmeExample } from '../../../tooling/testing/readme-example';

const nodeMajor = Number(process.versions.node.split('.')[0]);

// @openai/agents 0.20 needs Node.js 22 (the `openai` client 7's engines field): see agent-run.test.ts.
describe.runIf(nodeMajor >= 22)('the agent loop example of the README', () => {
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
