import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: {
    index: 'src/index.ts',
    command: 'src/command/index.ts',
    'agentplug-mcp': 'src/bin/agentplug-mcp.ts',
  },
  // The command entry loads the server from the main entry when it runs, not when it is imported.
  external: ['@agentplug/mcp'],
});
