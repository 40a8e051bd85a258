import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  banner: { js: '#!/usr/bin/env node' },
  // init writes the versions of the sdk, loader and models this CLI was built with.
  noExternal: [/^@agentplug\/[a-z-]+\/package\.json$/],
});
