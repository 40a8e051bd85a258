import { defineConfig, type TestUserConfig, type ViteUserConfig } from 'vitest/config';

/** Vite's default server conditions, with the workspace's source condition first. */
const conditions = ['@agentplug/source', 'module', 'node', 'development|production'];

// CI runs the suite a second time on another Node.js (.ci/run): make sure it really runs there.
const expectedNodeMajor = process.env.AGENTPLUG_EXPECT_NODE_MAJOR;
if (expectedNodeMajor && process.versions.node.split('.')[0] !== expectedNodeMajor) {
  throw new Error(
    `AGENTPLUG_EXPECT_NODE_MAJOR is ${expectedNodeMajor} but vitest runs on Node.js ${process.versions.node}`,
  );
}

/** Test configuration shared by every package: sibling packages resolve to their TypeScript source. */
export function createTestConfig(overrides: TestUserConfig = {}): ViteUserConfig {
  return defineConfig({
    resolve: { conditions },
    ssr: { resolve: { conditions, externalConditions: ['@agentplug/source'] } },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      typecheck: { enabled: true, include: ['src/**/*.test-d.ts', 'test/**/*.test-d.ts'] },
      // The JSON report lets CI print one closing line for the whole workspace (tooling/summarize-tests.mjs).
      reporters: ['default', ['json', { outputFile: 'node_modules/.vitest/results.json' }]],
      // A package scaffolded before its first test must not fail the workspace run.
      passWithNoTests: true,
      testTimeout: 20_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  });
}
