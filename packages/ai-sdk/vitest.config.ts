import { configDefaults } from 'vitest/config';
import { createTestConfig } from '../../tooling/vitest.base';

// The peer range covers two majors of `ai`, so every test runs twice: against ai@6 (the previous
// major, the package's own `ai` devDependency, which Node.js 20 supports) and against ai@7 (the
// current one, installed as `ai-v7` and put in the place of `ai`, also for the adapter's own
// imports). ai@7 needs Node.js 22: its tests skip themselves on Node.js 20 (test/ai-version.ts).
export default createTestConfig({
  projects: [
    { extends: true, test: { name: 'ai@6' } },
    {
      extends: true,
      // The README example runs in a child process the alias cannot reach: only the ai@6 run has it.
      test: { name: 'ai@7', exclude: [...configDefaults.exclude, 'test/readme-example.test.ts'] },
      resolve: { alias: [{ find: /^ai(\/.*)?$/, replacement: 'ai-v7$1' }] },
    },
  ],
});
