import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', 'agentplug-mcp': 'src/bin/agentplug-mcp.ts' },
});
