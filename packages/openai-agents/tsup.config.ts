import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig();
