import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { listEntryPointCandidates, PluginError, pathExists, readManifest } from '@agentplug/models';

/** Options of {@link bundlePlugin}. */
export interface BundlePluginOptions {
  /**
   * The source module to bundle, relative to the plugin folder. Default: `src/<name>.ts` (or
   * `.mts`, `.js`, `.mjs`) where `<name>` is the last part of plugin.json's `entry_point`.
   */
  entry?: string;
  /** Write a linked source map beside the bundle. Default false. */
  sourcemap?: boolean;
}

/** What {@link bundlePlugin} wrote. */
export interface BundlePluginResult {
  /** The source module, relative to the plugin folder. */
  entry: string;
  /** The bundle, relative to the plugin folder: the file plugin.json's `entry_point` resolves to. */
  outputFile: string;
  /** Bytes of the bundle. */
  size: number;
  /** The packages that went into the bundle (from node_modules), sorted. */
  packages: string[];
}

const SOURCE_EXTENSIONS = ['.ts', '.mts', '.tsx', '.js', '.mjs'];

/**
 * Replaces the global `Function` in the bundle. Code generation from strings (`new Function`) is
 * what the validator reports as `eval` and refuses; zod (the sdk's schemas) only probes for it to
 * pick a faster path and falls back to its interpreter when the probe throws, so the bundle
 * carries no way to compile strings and validates clean. `instanceof Function` keeps working.
 */
const FUNCTION_STAND_IN = 'agentplug_no_code_generation';
const BANNER = `// Bundled by agentplug build: the plugin with its dependencies, needing nothing from node_modules.
function ${FUNCTION_STAND_IN}() {
  throw new EvalError('agentplug plugins do not generate code from strings');
}
Object.defineProperty(${FUNCTION_STAND_IN}, Symbol.hasInstance, { value: (value) => typeof value === 'function' });`;

/**
 * The export conditions this Node process resolves with (`--conditions` in its arguments or
 * NODE_OPTIONS), so the bundle resolves packages as running the source would.
 */
function currentConditions(): string[] {
  const words = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const conditions: string[] = [];
  for (const [index, word] of words.entries()) {
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(word);
    if (inline?.[1]) conditions.push(inline[1]);
    else if ((word === '--conditions' || word === '-C') && words[index + 1])
      conditions.push(words[index + 1]!);
  }
  return conditions;
}

async function findSourceEntry(pluginPath: string, entryPoint: string, explicit?: string): Promise<string> {
  if (explicit !== undefined) {
    if (!(await pathExists(resolve(pluginPath, explicit), { followLinks: true }))) {
      throw new PluginError('INVALID_ARGUMENT', `--entry ${explicit} does not exist in ${pluginPath}`);
    }
    return explicit;
  }
  const name =
    entryPoint
      .replaceAll('\\', '/')
      .split('/')
      .at(-1)
      ?.replace(/\.[cm]?js$/, '') ?? 'main';
  const tried: string[] = [];
  for (const extension of SOURCE_EXTENSIONS) {
    const candidate = `src/${name}${extension}`;
    tried.push(candidate);
    if (await pathExists(join(pluginPath, candidate), { followLinks: true })) return candidate;
  }
  throw new PluginError(
    'ENTRY_NOT_FOUND',
    `no source entry for entry_point "${entryPoint}" in ${pluginPath} (tried ${tried.join(', ')}): pass --entry`,
  );
}

async function isModulePackage(pluginPath: string): Promise<boolean> {
  try {
    const packageJson = JSON.parse(await readFile(join(pluginPath, 'package.json'), 'utf8')) as {
      type?: unknown;
    };
    return packageJson.type === 'module';
  } catch {
    return false;
  }
}

/** The file the bundle goes to: the first file `entry_point` resolves to with the module format at hand. */
function outputFileFor(entryPoint: string, esmPackage: boolean): string {
  const wanted = esmPackage ? '.js' : '.mjs';
  const candidate = listEntryPointCandidates(entryPoint).find((path) => path.endsWith(wanted));
  if (candidate === undefined) {
    throw new PluginError('ENTRY_INVALID', `entry_point "${entryPoint}" cannot name a ${wanted} file`);
  }
  return candidate;
}

/** The package a bundled input came from: the name after its last `node_modules/`. */
function packageOf(inputPath: string): string | undefined {
  const path = inputPath.replaceAll('\\', '/');
  const index = path.lastIndexOf('node_modules/');
  if (index === -1) return undefined;
  return /^((?:@[^/]+\/)?[^/]+)\//.exec(path.slice(index + 'node_modules/'.length))?.[1];
}

/**
 * Bundles a plugin's source entry and everything it imports (the sdk's runtime and zod included)
 * into the one file plugin.json's `entry_point` names, so the installed plugin needs nothing from
 * any node_modules and runs in every isolation tier. Node built-ins stay imports (the worker
 * tier's policy decides on them); TypeScript is transpiled, not type-checked (run `tsc --noEmit`).
 * @throws PluginError MANIFEST_NOT_FOUND, MANIFEST_INVALID, ENTRY_NOT_FOUND (no source entry),
 * ENTRY_INVALID (an import that cannot be resolved, with esbuild's messages)
 * @example
 * const { outputFile } = await bundlePlugin('./my-plugin'); // dist/main.js
 */
export async function bundlePlugin(
  pluginPath: string,
  options: BundlePluginOptions = {},
): Promise<BundlePluginResult> {
  const folder = resolve(pluginPath);
  const { manifest } = await readManifest(folder);
  const entry = await findSourceEntry(folder, manifest.entry_point, options.entry);
  const esmPackage = await isModulePackage(folder);
  const outputFile = outputFileFor(manifest.entry_point, esmPackage);
  await mkdir(dirname(join(folder, outputFile)), { recursive: true });
  // esbuild (a native binary) loads only when a bundle is made, so other commands stay fast.
  const { build } = await import('esbuild');
  let result: Awaited<ReturnType<typeof build>>;
  try {
    result = await build({
      absWorkingDir: folder,
      entryPoints: [join(folder, entry)],
      outfile: join(folder, outputFile),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      conditions: currentConditions(),
      sourcemap: options.sourcemap === true ? 'linked' : false,
      define: { Function: FUNCTION_STAND_IN },
      banner: { js: BANNER },
      legalComments: 'none',
      metafile: true,
      logLevel: 'silent',
    });
  } catch (error) {
    const messages = (
      error as { errors?: { text: string; location?: { file: string; line: number } | null }[] }
    ).errors;
    const summary =
      messages
        ?.map((message) =>
          message.location
            ? `${message.location.file}:${message.location.line}: ${message.text}`
            : message.text,
        )
        .join('; ') ?? (error instanceof Error ? error.message : String(error));
    throw new PluginError('ENTRY_INVALID', `cannot bundle ${entry}: ${summary}`, { cause: error });
  }
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile?.inputs ?? {})) {
    const name = packageOf(input);
    if (name !== undefined) packages.add(name);
  }
  const output = result.metafile?.outputs[relative(folder, join(folder, outputFile)).replaceAll('\\', '/')];
  return {
    entry,
    outputFile,
    size: output?.bytes ?? 0,
    packages: [...packages].sort(),
  };
}
