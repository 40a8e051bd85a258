import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' },
});
