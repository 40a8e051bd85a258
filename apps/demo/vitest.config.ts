import { createTestConfig } from '../../tooling/vitest.base';

// The demo's tests run the built demo and the quick starts as subprocesses: allow them time on a busy machine.
export default createTestConfig({ testTimeout: 120_000, hookTimeout: 120_000 });
