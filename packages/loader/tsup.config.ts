import { cpSync } from 'node:fs';
import type { Options } from 'tsup';
import { createPackageBuildConfig } from '../../tooling/tsup.base';

const config = createPackageBuildConfig() as Options;

// The isolated-plugin worker bootstrap is plain .mjs loaded by path at run time: copy it beside the bundle.
export default {
  ...config,
  onSuccess: async (): Promise<void> => {
    cpSync('src/isolation/worker', 'dist/isolation/worker', { recursive: true });
  },
} satisfies Options;
