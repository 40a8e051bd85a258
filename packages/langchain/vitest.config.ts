import { createTestConfig } from '../../tooling/vitest.base';

export default createTestConfig();
