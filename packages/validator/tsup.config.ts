import { createPackageBuildConfig } from '../../tooling/tsup.base';

// The scan worker is an entry of its own: PluginValidator starts it by path, beside index.js.
export default createPackageBuildConfig({
  entry: { index: 'src/index.ts', 'scan-worker': 'src/worker/scan-worker.ts' },
});
