import { cpSync } from 'node:fs';
import type { Options } from 'tsup';
import { createPackageBuildConfig } from '../../tooling/tsup.base';

const config = createPackageBuildConfig() as Options;

// The isolated-plugin runtime is plain .mjs loaded by path at run time (in workers and plugin
// processes): copy it beside the bundle.
export default {
  ...config,
  onSuccess: async (): Promise<void> => {
    cpSync('src/isolation/runtime', 'dist/isolation/runtime', {
      recursive: true,
      filter: (source) => !source.endsWith('.d.mts'),
    });
  },
} satisfies Options;
