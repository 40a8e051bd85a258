import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  buildRuntimeBundle,
  processRuntimeFile,
  type RuntimeBundler,
  workerRuntimeFile,
} from './build-runtime-bundle';
import { locateRuntimeFile } from './locate-runtime-file';

/** This module's URL in ESM, in the CommonJS build (no import.meta) and from source alike. */
function currentModuleUrl(): string {
  return typeof __filename === 'string' ? pathToFileURL(__filename).href : import.meta.url;
}

/** A digest of every runtime source file: the name of the folder its bundle is cached in. */
function digestSources(sourceFolder: string): string {
  const hash = createHash('sha256');
  for (const name of readdirSync(sourceFolder).sort()) {
    if (!name.endsWith('.mjs')) continue;
    hash
      .update(name)
      .update('\0')
      .update(readFileSync(join(sourceFolder, name)))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

/** esbuild as the sources find it; undefined where it cannot be loaded (an install without it). */
function loadEsbuild(moduleUrl: string): RuntimeBundler | undefined {
  try {
    return createRequire(moduleUrl)('esbuild') as RuntimeBundler;
  } catch {
    return undefined;
  }
}

/**
 * From the sources: the bundle of the current runtime files, built with esbuild (a development
 * dependency) into the package's `node_modules/.cache` under a digest of the sources, so an edited
 * guard is never served from an older bundle. Undefined when that bundle is not there yet and
 * esbuild cannot be loaded here.
 */
async function bundleFromSources(
  sourceFolder: string,
  moduleUrl: string,
  loadBundler: typeof loadEsbuild,
): Promise<URL | undefined> {
  const cacheRoot = fileURLToPath(new URL('../../node_modules/.cache/agentplug-worker-runtime/', moduleUrl));
  const outputFolder = join(cacheRoot, digestSources(sourceFolder));
  const entry = join(outputFolder, workerRuntimeFile);
  if (existsSync(entry)) return pathToFileURL(entry);
  const bundler = loadBundler(moduleUrl);
  if (bundler === undefined) return undefined;
  // Built aside and renamed into place: test workers starting at once never see half a bundle.
  const building = `${outputFolder}.${process.pid}.${Date.now()}`;
  mkdirSync(building, { recursive: true });
  try {
    await buildRuntimeBundle({ bundler, sourceFolder, outputFolder: building });
    renameSync(building, outputFolder);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another process put the same bundle in place first.
    if (!existsSync(entry)) throw error;
  }
  return pathToFileURL(entry);
}

let located: Promise<URL | undefined> | undefined;

/** The folder of the runtime bundle (dist, or the cache from the sources); undefined without one. */
async function findBundle(moduleUrl: string, loadBundler: typeof loadEsbuild): Promise<URL | undefined> {
  const built = new URL('./isolation/bundle/', moduleUrl);
  if (existsSync(new URL(workerRuntimeFile, built))) return built;
  const sourceFolder = new URL('./runtime/', moduleUrl);
  if (!existsSync(new URL('./worker-bootstrap.mjs', sourceFolder))) return undefined;
  const entry = await bundleFromSources(fileURLToPath(sourceFolder), moduleUrl, loadBundler);
  return entry === undefined ? undefined : new URL('.', entry);
}

/** The bundle folder, found once per process (a failed build is not remembered). */
function locateBundle(moduleUrl: string, loadBundler: typeof loadEsbuild): Promise<URL | undefined> {
  if (moduleUrl !== currentModuleUrl() || loadBundler !== loadEsbuild)
    return findBundle(moduleUrl, loadBundler);
  located ??= findBundle(moduleUrl, loadBundler);
  located.catch(() => {
    located = undefined;
  });
  return located;
}

/**
 * The entry file of an isolated plugin's worker: the runtime bundled into one CommonJS file (built
 * beside `dist/index.js` by the package build; from the sources, on first use, see
 * bundleFromSources), else, from the sources without esbuild, the unbundled `worker-bootstrap.mjs`
 * (the same code, slower to start). `moduleUrl` and `loadBundler` are for tests: where this module
 * is, and how esbuild is loaded.
 *
 * @throws PluginError INTERNAL when neither exists (a build that did not copy the runtime)
 * @throws Error when bundling the sources fails
 */
export async function locateWorkerRuntime(
  moduleUrl: string = currentModuleUrl(),
  loadBundler: (moduleUrl: string) => RuntimeBundler | undefined = loadEsbuild,
): Promise<URL> {
  const bundle = await locateBundle(moduleUrl, loadBundler);
  return bundle === undefined
    ? locateRuntimeFile('worker-bootstrap.mjs', moduleUrl)
    : new URL(workerRuntimeFile, bundle);
}

/**
 * The entry file of a plugin's own process, found as {@link locateWorkerRuntime} finds the
 * worker's: the bundled `process-runtime.cjs`, else the unbundled `process-bootstrap.mjs`.
 *
 * @throws PluginError INTERNAL when neither exists (a build that did not copy the runtime)
 * @throws Error when bundling the sources fails
 */
export async function locateProcessRuntime(
  moduleUrl: string = currentModuleUrl(),
  loadBundler: (moduleUrl: string) => RuntimeBundler | undefined = loadEsbuild,
): Promise<URL> {
  const bundle = await locateBundle(moduleUrl, loadBundler);
  return bundle === undefined
    ? locateRuntimeFile('process-bootstrap.mjs', moduleUrl)
    : new URL(processRuntimeFile, bundle);
}
