import { configDefaults } from 'vitest/config';
import { createTestConfig } from '../../tooling/vitest.base';

// The peer range covers two majors of `ai`, so every test runs twice: against ai@7 (the current
// major) and against ai@6 (the previous one, installed as `ai-v6` and put in the place of `ai`,
// also for the adapter's own imports). Tests that need ai@7 on a Node it does not support skip
// themselves (see test/ai-version.ts).
export default createTestConfig({
  projects: [
    { extends: true, test: { name: 'ai@7' } },
    {
      extends: true,
      // The README example runs in a child process the alias cannot reach: only the ai@7 run has it.
      test: { name: 'ai@6', exclude: [...configDefaults.exclude, 'test/readme-example.test.ts'] },
      resolve: { alias: [{ find: /^ai(\/.*)?$/, replacement: 'ai-v6$1' }] },
    },
  ],
});
