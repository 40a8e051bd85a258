import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  DEFAULT_MANIFEST_MAX_BYTES,
  formatReasons,
  listIssues,
  MANIFEST_FILE_NAME,
  type ManifestIssue,
  PluginError,
  type PluginErrorCode,
  type PluginMetadata,
  safeParseManifest,
} from '@agentplug/models';

/** A plugin folder found by discovery, with its parsed manifest. */
export interface DiscoveredPlugin {
  metadata: PluginMetadata;
  /** Absolute path of the plugin folder. */
  pluginPath: string;
  /** Warnings about the manifest (unknown keys and the like); they do not stop loading. */
  warnings: ManifestIssue[];
}

/** A folder discovery could not use, and why. Problems never hide the other plugins. */
export interface DiscoveryProblem {
  /** The plugin folder (or plugin directory) the problem is about. */
  path: string;
  code: PluginErrorCode;
  message: string;
  error: PluginError;
}

/** Everything one discovery pass found: the usable plugins and the problems. */
export interface DiscoveryResult {
  plugins: DiscoveredPlugin[];
  problems: DiscoveryProblem[];
}

/**
 * Parsed manifests by manifest path and text, so a re-discovery skips the schema check of a
 * plugin.json that did not change. Keep one per loader.
 */
export type ManifestCache = Map<
  string,
  { text: string; metadata: PluginMetadata; warnings: ManifestIssue[] }
>;

/** Options of {@link discoverPluginFolders}. */
export interface DiscoverPluginFoldersOptions {
  /** Reuse manifests parsed by an earlier discovery when their text is unchanged. */
  cache?: ManifestCache | undefined;
}

function toProblem(path: string, error: PluginError): DiscoveryProblem {
  return { path, code: error.code, message: error.message, error };
}

async function readFolderManifest(
  pluginPath: string,
  cache: ManifestCache | undefined,
): Promise<DiscoveredPlugin | PluginError | undefined> {
  const manifestPath = join(pluginPath, MANIFEST_FILE_NAME);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return new PluginError('MANIFEST_UNREADABLE', `${manifestPath} could not be read`, {
      details: { path: manifestPath },
      cause: error,
    });
  }
  if (text.length > DEFAULT_MANIFEST_MAX_BYTES) {
    return new PluginError(
      'MANIFEST_TOO_LARGE',
      `${manifestPath} is larger than ${DEFAULT_MANIFEST_MAX_BYTES} bytes`,
      {
        details: { path: manifestPath, maxBytes: DEFAULT_MANIFEST_MAX_BYTES },
      },
    );
  }
  const cached = cache?.get(manifestPath);
  if (cached !== undefined && cached.text === text) {
    return { metadata: structuredClone(cached.metadata), pluginPath, warnings: cached.warnings };
  }
  let document: unknown;
  try {
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return new PluginError(
      'MANIFEST_UNREADABLE',
      `${manifestPath} is not valid JSON (${(error as Error).message})`,
      {
        details: { path: manifestPath },
        cause: error,
      },
    );
  }
  const result = safeParseManifest(document);
  if (!result.success) {
    return new PluginError(
      'MANIFEST_INVALID',
      formatReasons(`${manifestPath} is invalid`, listIssues(result.issues)),
      {
        details: { path: manifestPath, issues: result.issues, warnings: result.warnings },
      },
    );
  }
  cache?.set(manifestPath, { text, metadata: structuredClone(result.value), warnings: result.warnings });
  return { metadata: result.value, pluginPath, warnings: result.warnings };
}

async function listPluginFolders(directory: string): Promise<string[] | PluginError> {
  try {
    const entries = await readdir(directory, { withFileTypes: true });
    return entries
      .filter((entry) => (entry.isDirectory() || entry.isSymbolicLink()) && !entry.name.startsWith('.'))
      .filter((entry) => entry.name !== 'node_modules')
      .map((entry) => entry.name)
      .sort()
      .map((name) => join(directory, name));
  } catch (error) {
    return new PluginError('INVALID_ARGUMENT', `plugin directory ${directory} cannot be read`, {
      details: { path: directory },
      cause: error,
    });
  }
}

/**
 * Finds every sub-folder with a plugin.json in one or several plugin directories. A broken
 * manifest is reported with its folder and reason and never hides the others; a plugin id seen
 * twice keeps its first folder (directories in the order given, folders by name) and reports
 * the second as DUPLICATE_PLUGIN. Never throws for bad plugins.
 */
export async function discoverPluginFolders(
  directories: readonly string[],
  options: DiscoverPluginFoldersOptions = {},
): Promise<DiscoveryResult> {
  const plugins: DiscoveredPlugin[] = [];
  const problems: DiscoveryProblem[] = [];
  const folderLists = await Promise.all(
    directories.map((directory) => listPluginFolders(resolve(directory))),
  );
  const folders: string[] = [];
  folderLists.forEach((list, index) => {
    if (PluginError.is(list)) problems.push(toProblem(resolve(directories[index] ?? ''), list));
    else folders.push(...list);
  });
  const manifests = await Promise.all(folders.map((folder) => readFolderManifest(folder, options.cache)));
  const seen = new Map<string, string>();
  manifests.forEach((manifest, index) => {
    const folder = folders[index] ?? '';
    if (manifest === undefined) return;
    if (PluginError.is(manifest)) {
      problems.push(toProblem(folder, manifest));
      return;
    }
    const pluginId = manifest.metadata.plugin_id;
    const first = seen.get(pluginId);
    if (first !== undefined) {
      problems.push(
        toProblem(
          folder,
          new PluginError(
            'DUPLICATE_PLUGIN',
            `${folder} declares ${pluginId}, already declared by ${first}`,
            {
              details: { pluginId, path: folder, firstPath: first },
            },
          ),
        ),
      );
      return;
    }
    seen.set(pluginId, folder);
    plugins.push(manifest);
  });
  return { plugins, problems };
}
