import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  listEntryPointCandidates,
  MANIFEST_FILE_NAME,
  PluginError,
  type PluginMetadata,
  readManifest,
} from '@agentplug/models';
import {
  BUILD_IGNORE_PATTERNS,
  compileIgnoreRules,
  DEFAULT_IGNORE_PATTERNS,
  IGNORE_FILE_NAME,
  type IgnoreRule,
  isIgnored,
  isNamedExplicitly,
  parseIgnoreFile,
} from './ignore-rules';
import { scanForSecrets } from './scan-secrets';

/** Options of {@link listPluginFiles}. */
export interface ListPluginFilesOptions {
  /**
   * Ship the production dependencies in `node_modules` (the packages package.json's `dependencies`
   * reach), for a plugin whose entry imports packages instead of bundling them. Default false.
   */
  includeNodeModules?: boolean;
}

/** One file that would ship. */
export interface PluginFileEntry {
  /** Relative to the plugin folder, forward slashes. */
  path: string;
  /** Bytes. */
  size: number;
}

/** What a plugin folder ships, and why. */
export interface ListPluginFilesResult {
  manifest: PluginMetadata;
  /** Sorted by path (byte order). */
  files: PluginFileEntry[];
  /** The plugin has a build (a `build` script, entry outside `src/`): sources and tests stay home. */
  hasBuild: boolean;
  /** Whether the folder has an `.agentplugignore`. */
  hasIgnoreFile: boolean;
}

/** Paths (and sizes) may not exceed these, so a huge folder fails fast instead of filling memory. */
const MAX_FILES = 20_000;

interface PackageJson {
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, unknown>;
  optionalDependencies?: Record<string, unknown>;
}

async function readPackageJson(folder: string): Promise<PackageJson | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(folder, 'package.json'), 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as PackageJson)
      : undefined;
  } catch {
    return undefined;
  }
}

function hasBuildStep(packageJson: PackageJson | undefined, manifest: PluginMetadata): boolean {
  if (typeof packageJson?.scripts?.build !== 'string') return false;
  const [firstCandidate] = listEntryPointCandidates(manifest.entry_point);
  return firstCandidate !== undefined && !firstCandidate.startsWith('src/') && firstCandidate.includes('/');
}

function dependencyNames(packageJson: PackageJson | undefined): string[] {
  const names = new Set<string>();
  for (const table of [packageJson?.dependencies, packageJson?.optionalDependencies]) {
    if (typeof table !== 'object' || table === null) continue;
    for (const name of Object.keys(table)) {
      if (/^(?:@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(name)) names.add(name);
    }
  }
  return [...names];
}

async function isFolder(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined))?.isDirectory() === true;
}

/**
 * The folders under node_modules that production dependencies resolve to, found the way Node
 * resolves them (the nearest node_modules first, then each parent's, up to the plugin folder).
 */
async function collectProductionPackages(
  root: string,
  rootPackage: PackageJson | undefined,
): Promise<Set<string>> {
  const found = new Set<string>();
  const queue: { from: string; names: string[] }[] = [{ from: '', names: dependencyNames(rootPackage) }];
  while (queue.length > 0) {
    const { from, names } = queue.shift()!;
    for (const name of names) {
      let resolved: string | undefined;
      for (let base = from; ; ) {
        const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
        if (await isFolder(join(root, candidate))) {
          resolved = candidate;
          break;
        }
        if (base === '') break;
        const index = base.lastIndexOf('/node_modules/');
        base = index === -1 ? '' : base.slice(0, index);
      }
      if (resolved === undefined || found.has(resolved)) continue;
      found.add(resolved);
      queue.push({ from: resolved, names: dependencyNames(await readPackageJson(join(root, resolved))) });
    }
  }
  return found;
}

function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

interface Walk {
  root: string;
  rules: IgnoreRule[];
  /** When node_modules ships: the package folders that may; anything else under node_modules stays. */
  packages: Set<string> | undefined;
  files: PluginFileEntry[];
}

function isInShippedPackage(walk: Walk, path: string, isFolderPath: boolean): boolean {
  if (walk.packages === undefined) return false;
  for (const packagePath of walk.packages) {
    if (path === packagePath || path.startsWith(`${packagePath}/`)) return true;
    // A folder on the way to a shipped package (node_modules, @scope, a parent package's node_modules).
    if (isFolderPath && packagePath.startsWith(`${path}/`)) return true;
  }
  return false;
}

function isIgnoredPath(walk: Walk, path: string, isFolderPath: boolean): boolean {
  if (walk.packages !== undefined && (path === 'node_modules' || path.startsWith('node_modules/'))) {
    // Inside node_modules only the production packages ship, and not their executables' links.
    return path.endsWith('/.bin') || !isInShippedPackage(walk, path, isFolderPath);
  }
  return isIgnored(walk.rules, path, isFolderPath);
}

async function walkFolder(walk: Walk, relative: string): Promise<void> {
  const entries = await readdir(join(walk.root, relative), { withFileTypes: true });
  for (const entry of entries) {
    const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnoredPath(walk, path, true)) await walkFolder(walk, path);
      continue;
    }
    if (isIgnoredPath(walk, path, false)) continue;
    if (!entry.isFile()) {
      throw new PluginError(
        'ARCHIVE_UNSAFE',
        `${path} is not a regular file or folder (links and devices are not packed)`,
        { details: { path } },
      );
    }
    if (walk.files.length >= MAX_FILES) {
      throw new PluginError(
        'TOO_LARGE',
        `${walk.root} has more than ${MAX_FILES} files to pack: leave generated folders out with ${IGNORE_FILE_NAME}`,
      );
    }
    const size = (await lstat(join(walk.root, path))).size;
    walk.files.push({ path, size });
  }
}

async function refuseSecrets(root: string, files: readonly PluginFileEntry[], rules: readonly IgnoreRule[]) {
  for (const file of files) {
    if (isNamedExplicitly(rules, file.path)) continue;
    const match = scanForSecrets(await readFile(join(root, file.path)));
    if (match === undefined) continue;
    throw new PluginError(
      'SECRET_DETECTED',
      `${file.path} looks like it holds ${match.kind} (line ${match.line}): refusing to pack it`,
      // The hint in the error table says how to ship it anyway: `!<path>` in .agentplugignore.
      { details: { path: file.path, kind: match.kind, line: match.line, allowWith: `!${file.path}` } },
    );
  }
}

/**
 * Lists what a plugin folder ships, with sizes: everything but the default ignore list
 * ({@link DEFAULT_IGNORE_PATTERNS}; with a build also {@link BUILD_IGNORE_PATTERNS}), changed by
 * the folder's `.agentplugignore`. Refuses files that look like credentials unless the ignore
 * file names them exactly with `!`.
 * @throws PluginError MANIFEST_NOT_FOUND, MANIFEST_INVALID, ARCHIVE_UNSAFE (a link or device),
 * TOO_LARGE, SECRET_DETECTED (naming the file and what it looks like)
 * @example
 * const { files } = await listPluginFiles('./my-plugin');
 */
export async function listPluginFiles(
  folder: string,
  options: ListPluginFilesOptions = {},
): Promise<ListPluginFilesResult> {
  const { manifest } = await readManifest(folder);
  const packageJson = await readPackageJson(folder);
  const hasBuild = hasBuildStep(packageJson, manifest);
  const ignoreText = await readFile(join(folder, IGNORE_FILE_NAME), 'utf8').catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PluginError('INVALID_ARGUMENT', `cannot read ${IGNORE_FILE_NAME} in ${folder}`, {
      cause: error,
    });
  });
  const rules = compileIgnoreRules([
    ...DEFAULT_IGNORE_PATTERNS,
    ...(hasBuild ? BUILD_IGNORE_PATTERNS : []),
    ...(ignoreText === undefined ? [] : parseIgnoreFile(ignoreText)),
  ]);
  const walk: Walk = {
    root: folder,
    rules,
    // node_modules ships when asked, or when the ignore file re-includes it: its production part only.
    packages:
      options.includeNodeModules === true || !isIgnored(rules, 'node_modules', true)
        ? await collectProductionPackages(folder, packageJson)
        : undefined,
    files: [],
  };
  await walkFolder(walk, '');
  walk.files.sort((left, right) => compareBytes(left.path, right.path));
  if (!walk.files.some((file) => file.path === MANIFEST_FILE_NAME)) {
    throw new PluginError(
      'MANIFEST_NOT_FOUND',
      `${MANIFEST_FILE_NAME} in ${folder} is ignored: it must ship`,
    );
  }
  await refuseSecrets(folder, walk.files, rules);
  return { manifest, files: walk.files, hasBuild, hasIgnoreFile: ignoreText !== undefined };
}
