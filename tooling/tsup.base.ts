import { defineConfig, type Options } from 'tsup';

/** Options a package may add to the shared build (extra entries, a banner for a bin, externals). */
export interface PackageBuildOptions {
  entry?: Record<string, string>;
  banner?: Options['banner'];
  /** Imports to bundle although they name a dependency (a sibling's package.json read at build time). */
  noExternal?: Options['noExternal'];
  /**
   * Imports kept as imports beyond the dependencies: the package's own name, so an entry can load
   * the main entry lazily (`await import('@agentplug/x')`) instead of bundling it eagerly.
   */
  external?: string[];
}

/**
 * The one tsup configuration every package builds with: ESM and CJS, a declaration file for
 * each, source maps, and the node target of the workspace.
 */
export function createPackageBuildConfig(options: PackageBuildOptions = {}): ReturnType<typeof defineConfig> {
  return defineConfig({
    entry: options.entry ?? { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    banner: options.banner,
    noExternal: options.noExternal,
    external: options.external,
  });
}
