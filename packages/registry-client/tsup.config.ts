import { createPackageBuildConfig } from '../../tooling/tsup.base';

export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', protocol: 'src/protocol/index.ts' },
});
