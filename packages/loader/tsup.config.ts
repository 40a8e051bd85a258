import { cpSync } from 'node:fs';
import * as esbuild from 'esbuild';
import type { Options } from 'tsup';
import { createPackageBuildConfig } from '../../tooling/tsup.base';
import { buildRuntimeBundle, type RuntimeBundler } from './src/isolation/build-runtime-bundle';

const config = createPackageBuildConfig() as Options;

// The isolated-plugin runtime is plain .mjs loaded by path at run time (in workers and plugin
// processes): copy it beside the bundle, and bundle the worker's entry into one file (see
// build-runtime-bundle.ts).
export default {
  ...config,
  onSuccess: async (): Promise<void> => {
    cpSync('src/isolation/runtime', 'dist/isolation/runtime', {
      recursive: true,
      filter: (source) => !source.endsWith('.d.mts'),
    });
    buildRuntimeBundle({
      bundler: esbuild as unknown as RuntimeBundler,
      sourceFolder: 'src/isolation/runtime',
      outputFolder: 'dist/isolation/bundle',
    });
  },
} satisfies Options;
