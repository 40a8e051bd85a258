import { type FSWatcher, watch } from 'node:fs';
import type { PluginLoader } from '@agentplug/loader';
import type { IsolationMode } from '@agentplug/models';
import { activatePlugins } from './activate-plugin-directory';
import { describeFailure } from './describe-failure';

/** Options of {@link followPluginDirectories}. */
export interface FollowPluginDirectoriesOptions {
  /** The loader's plugin directories (the folders whose sub-folders are plugins). */
  directories: readonly string[];
  /** The tier plugins added later run in, as for the first ones. */
  isolation?: IsolationMode;
  /** How long a burst of changes is gathered before the folders are scanned again. Default 100 ms. */
  debounceMs?: number;
  /** Hears each plugin added or removed, and each failure with its code. */
  log?: (message: string) => void;
}

/** A running follow; `close()` stops watching (plugins stay as they are). */
export interface PluginDirectoryFollow {
  /** Resolves once the scans started so far have finished (tests, shutdown). */
  settled(): Promise<void>;
  close(): void;
}

/**
 * Follows the plugin directories of a loader: a plugin folder added is discovered, loaded and
 * activated; a folder removed (or whose plugin.json is gone) has its plugin unloaded, with its
 * dependents. The loader's capability events then tell MCP clients (`list_changed`). A folder
 * that is not yet a usable plugin (still being copied) is watched until it is.
 */
export function followPluginDirectories(
  loader: PluginLoader,
  options: FollowPluginDirectoriesOptions,
): PluginDirectoryFollow {
  const log = options.log ?? (() => undefined);
  const debounceMs = options.debounceMs ?? 100;
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let scanning: Promise<void> = Promise.resolve();
  let closed = false;

  const watchFolder = (folder: string): void => {
    if (closed || watchers.has(folder)) return;
    try {
      const watcher = watch(folder, { persistent: false }, schedule);
      // A folder that disappears ends its watch; the scan it triggers sees the rest.
      watcher.on('error', () => {
        watcher.close();
        watchers.delete(folder);
      });
      watchers.set(folder, watcher);
    } catch {
      // Gone before it could be watched: the next scan decides what it was.
    }
  };

  const scan = async (): Promise<void> => {
    const { plugins, problems } = await loader.discover();
    const discovered = new Map(plugins.map((plugin) => [plugin.metadata.plugin_id, plugin]));
    for (const state of loader.listPlugins()) {
      const pluginId = state.metadata.plugin_id;
      if (discovered.get(pluginId)?.pluginPath === state.pluginPath) continue;
      if (loader.getPluginState(pluginId) === undefined) continue; // unloaded with a dependency already
      try {
        await loader.unloadPlugin(pluginId, { cascade: true });
        log(`removed ${pluginId}: its folder ${state.pluginPath} is gone`);
      } catch (error) {
        log(`cannot unload ${pluginId}: ${describeFailure(error)}`);
      }
    }
    const added = plugins
      .map((plugin) => plugin.metadata)
      .filter((metadata) => loader.getPluginState(metadata.plugin_id) === undefined);
    if (added.length > 0) {
      const result = await activatePlugins(loader, added, { log, isolation: options.isolation });
      if (result.active.length > 0) log(`added ${result.active.join(', ')}`);
    }
    // Folders that are not plugins yet (a copy under way) are watched until they are.
    const waiting = new Set(problems.map((problem) => problem.path));
    for (const [folder, watcher] of watchers) {
      if (!options.directories.includes(folder) && !waiting.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of waiting) if (!options.directories.includes(folder)) watchFolder(folder);
  };

  function schedule(): void {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      scanning = scanning
        .then(() => (closed ? undefined : scan()))
        .catch((error: unknown) => log(`cannot scan the plugin folders: ${describeFailure(error)}`));
    }, debounceMs);
    timer.unref();
  }

  for (const directory of options.directories) watchFolder(directory);
  for (const problem of loader.getDiscoveryProblems()) {
    if (!options.directories.includes(problem.path)) watchFolder(problem.path);
  }
  return {
    settled: () => scanning,
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}
