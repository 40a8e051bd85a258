import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({ entry: { main: 'src/main.ts' } });
