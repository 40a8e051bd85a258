import type { PluginLoader } from '@agentplug/loader';
import { type IsolationMode, PluginError, type PluginMetadata } from '@agentplug/models';
import { describeFailure } from './describe-failure';

/** What {@link activatePluginDirectory} brought up, and what it could not. */
export interface ActivatePluginDirectoryResult {
  /** The plugin ids now active. */
  active: string[];
  /** The plugins left out, and why (`code` when the failure is a PluginError). */
  failed: { pluginId: string; code?: string; message: string }[];
}

/** Options of {@link activatePluginDirectory}. */
export interface ActivatePluginDirectoryOptions {
  /** Hears each step, and each failure as `skipped <id>: <CODE>: <message>`. */
  log?: (message: string) => void;
  /** The tier every plugin runs in, over its config.json's; default what config.json and the loader say. */
  isolation?: IsolationMode;
}

/**
 * The plugin ids, sorted, each after the plugins of the set it depends on, so this module loads each
 * one itself (with the chosen isolation) before a dependent would bring it in. A cycle is left to
 * the loader, which refuses it with DEPENDENCY_CYCLE.
 */
function dependenciesFirst(plugins: readonly PluginMetadata[]): string[] {
  const byId = new Map(plugins.map((metadata) => [metadata.plugin_id, metadata]));
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (pluginId: string): void => {
    if (seen.has(pluginId)) return;
    seen.add(pluginId);
    for (const dependency of byId.get(pluginId)?.dependencies ?? []) {
      if (byId.has(dependency.plugin_id)) visit(dependency.plugin_id);
    }
    order.push(pluginId);
  };
  for (const pluginId of [...byId.keys()].sort()) visit(pluginId);
  return order;
}

/**
 * Loads and activates the given plugins, dependencies before dependents (so each is loaded by
 * this call, with `isolation`), and reports what failed instead of throwing.
 */
export async function activatePlugins(
  loader: PluginLoader,
  plugins: readonly PluginMetadata[],
  options: ActivatePluginDirectoryOptions = {},
): Promise<ActivatePluginDirectoryResult> {
  const log = options.log ?? (() => undefined);
  const result: ActivatePluginDirectoryResult = { active: [], failed: [] };
  const order = dependenciesFirst(plugins);
  for (const pluginId of order) {
    try {
      if (loader.getPluginState(pluginId) === undefined) {
        await loader.loadPlugin(
          pluginId,
          options.isolation === undefined ? {} : { isolation: options.isolation },
        );
      }
      if (loader.getPluginState(pluginId)?.status !== 'active') await loader.activatePlugin(pluginId);
      result.active.push(pluginId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ pluginId, ...(PluginError.is(error) ? { code: error.code } : {}), message });
      log(`skipped ${pluginId}: ${describeFailure(error)}`);
    }
  }
  return result;
}

/**
 * Discovers every plugin of the loader's directories, loads and activates each (dependencies
 * first), and reports what failed instead of throwing, so one broken plugin does not keep the
 * others from being served. The second argument is a log function or
 * {@link ActivatePluginDirectoryOptions}.
 *
 * @example
 * const loader = new PluginLoader({ pluginDirectory: './plugins' });
 * const { active, failed } = await activatePluginDirectory(loader, console.error);
 */
export async function activatePluginDirectory(
  loader: PluginLoader,
  options: ((message: string) => void) | ActivatePluginDirectoryOptions = {},
): Promise<ActivatePluginDirectoryResult> {
  const settings = typeof options === 'function' ? { log: options } : options;
  const log = settings.log ?? (() => undefined);
  const discovered = await loader.discoverPlugins();
  for (const problem of loader.getDiscoveryProblems()) {
    log(`skipped ${problem.path}: ${problem.code}: ${problem.message}`);
  }
  const result = await activatePlugins(loader, discovered, settings);
  log(`serving ${result.active.length} plugin(s): ${result.active.join(', ') || 'none'}`);
  return result;
}
