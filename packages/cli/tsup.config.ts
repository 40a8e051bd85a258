import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  banner: { js: '#!/usr/bin/env node' },
});
