import { createTestConfig } from '../../tooling/vitest.base';

export default createTestConfig({ testTimeout: 120_000 });
