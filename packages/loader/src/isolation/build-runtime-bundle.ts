import { join } from 'node:path';

/** The part of esbuild's API the runtime bundle needs (esbuild is a build-time tool, never a dependency). */
export interface RuntimeBundler {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** The bundled worker entry, beside the bundled module hooks it registers on Node 20. */
export const workerRuntimeFile = 'worker-runtime.cjs';
/** The bundled entry of a plugin's own process. */
export const processRuntimeFile = 'process-runtime.cjs';

/** The namespace of the modules that stand for built-ins in the bundle. */
const builtinNamespace = 'agentplug-builtin';

/**
 * Each `node:` import becomes a module that takes the built-in with `process.getBuiltinModule` once,
 * when the bundle starts (before any plugin code and before any module hook is registered). Only
 * default imports exist in the runtime: a named import fails the build loudly, because a named
 * member must be captured at start (`const { member } = module`), never read later from an object
 * the plugin can change.
 */
const builtinsPlugin = {
  name: builtinNamespace,
  setup(build: {
    onResolve(
      options: { filter: RegExp },
      callback: (args: { path: string }) => { path: string; namespace: string },
    ): void;
    onLoad(
      options: { filter: RegExp; namespace: string },
      callback: (args: { path: string }) => { contents: string; loader: string },
    ): void;
  }): void {
    build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: builtinNamespace }));
    build.onLoad({ filter: /.*/, namespace: builtinNamespace }, (args) => ({
      contents: `export default process.getBuiltinModule(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * Bundles the isolated-plugin runtime (`sourceFolder`, the plain JavaScript in ./runtime) into
 * `outputFolder`: the worker's entry and the plugin process's entry each as one CommonJS file
 * ({@link workerRuntimeFile}, {@link processRuntimeFile}), so a plugin starts with one module load
 * instead of one per runtime file and without the ES module loader (the plugin's own ES modules
 * still go through it), and the module hooks Node 20 runs on a hooks thread as one ES module. Used by the package build and, from the sources, on first use.
 *
 * @throws Error when esbuild reports an error (for example a named import of a built-in)
 */
export async function buildRuntimeBundle(options: {
  bundler: RuntimeBundler;
  sourceFolder: string;
  outputFolder: string;
}): Promise<void> {
  const { bundler, sourceFolder, outputFolder } = options;
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    write: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [builtinsPlugin],
  };
  for (const [entry, file] of [
    ['worker-bootstrap.mjs', workerRuntimeFile],
    ['process-bootstrap.mjs', processRuntimeFile],
  ] as const) {
    await bundler.build({
      ...common,
      entryPoints: [join(sourceFolder, entry)],
      outfile: join(outputFolder, file),
      format: 'cjs',
      // The runtime finds the module hooks and the files it probes handle classes with next to
      // itself: here, next to the bundle.
      banner: { js: 'const __agentplugRuntimeUrl = require("node:url").pathToFileURL(__filename).href;' },
      define: { 'import.meta.url': '__agentplugRuntimeUrl' },
    });
  }
  await bundler.build({
    ...common,
    entryPoints: [join(sourceFolder, 'module-hooks.mjs')],
    outfile: join(outputFolder, 'module-hooks.mjs'),
    format: 'esm',
  });
}
