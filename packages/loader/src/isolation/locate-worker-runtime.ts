import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildRuntimeBundle, type RuntimeBundler, workerRuntimeFile } from './build-runtime-bundle';
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

let located: Promise<URL> | undefined;

async function find(moduleUrl: string, loadBundler: typeof loadEsbuild): Promise<URL> {
  const built = new URL(`./isolation/bundle/${workerRuntimeFile}`, moduleUrl);
  const sourceFolder = new URL('./runtime/', moduleUrl);
  if (existsSync(built)) return built;
  let found: URL | undefined;
  if (existsSync(new URL('./worker-bootstrap.mjs', sourceFolder)))
    found = await bundleFromSources(fileURLToPath(sourceFolder), moduleUrl, loadBundler);
  return found ?? locateRuntimeFile('worker-bootstrap.mjs', moduleUrl);
}

/**
 * The entry file of an isolated plugin's worker: the runtime bundled into one CommonJS file (built
 * beside `dist/index.js` by the package build; from the sources, on first use, see
 * bundleFromSources), else, from the sources without esbuild, the unbundled `worker-bootstrap.mjs`
 * (the same code, slower to start). Found once per process. `moduleUrl` and `loadBundler` are
 * for tests: where this module is, and how esbuild is loaded.
 *
 * @throws PluginError INTERNAL when neither exists (a build that did not copy the runtime)
 * @throws Error when bundling the sources fails
 */
export function locateWorkerRuntime(
  moduleUrl: string = currentModuleUrl(),
  loadBundler: (moduleUrl: string) => RuntimeBundler | undefined = loadEsbuild,
): Promise<URL> {
  if (moduleUrl !== currentModuleUrl() || loadBundler !== loadEsbuild) return find(moduleUrl, loadBundler);
  located ??= find(moduleUrl, loadBundler);
  // A failed build is not remembered: the next start tries again.
  located.catch(() => {
    located = undefined;
  });
  return located;
}
