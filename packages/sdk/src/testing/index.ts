export { type CreateTestHostOptions, createTestHost, type TestHost } from './create-test-host';
