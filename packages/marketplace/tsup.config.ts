import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', command: 'src/command/index.ts', cli: 'src/cli.ts' },
  external: ['@agentplug/marketplace'],
});
