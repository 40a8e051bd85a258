import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  // The inspection worker is an entry of its own: the pool starts it by path, beside index.js.
  entry: {
    index: 'src/index.ts',
    command: 'src/command/index.ts',
    cli: 'src/cli.ts',
    'inspection-worker': 'src/publish/inspection-worker.ts',
  },
  external: ['@agentplug/marketplace'],
});
