import type { PluginLoader } from '@agentplug/loader';

/** What {@link activatePluginDirectory} brought up, and what it could not. */
export interface ActivatePluginDirectoryResult {
  /** The plugin ids now active. */
  active: string[];
  /** The plugins (or plugin folders) left out, and why. */
  failed: { pluginId: string; message: string }[];
}

/**
 * Discovers every plugin of the loader's directories, loads and activates each (a plugin's
 * dependencies are loaded first by the loader), and reports what failed instead of throwing, so
 * one broken plugin does not keep the others from being served. `log` hears each step.
 *
 * @example
 * const loader = new PluginLoader({ pluginDirectory: './plugins' });
 * const { active, failed } = await activatePluginDirectory(loader, console.error);
 */
export async function activatePluginDirectory(
  loader: PluginLoader,
  log: (message: string) => void = () => undefined,
): Promise<ActivatePluginDirectoryResult> {
  const result: ActivatePluginDirectoryResult = { active: [], failed: [] };
  const discovered = await loader.discoverPlugins();
  for (const problem of loader.getDiscoveryProblems()) {
    log(`skipped ${problem.path}: ${problem.code}: ${problem.message}`);
  }
  for (const metadata of discovered) {
    const pluginId = metadata.plugin_id;
    try {
      if (loader.getPluginState(pluginId) === undefined) await loader.loadPlugin(pluginId);
      if (loader.getPluginState(pluginId)?.status !== 'active') await loader.activatePlugin(pluginId);
      result.active.push(pluginId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result.failed.push({ pluginId, message });
      log(`skipped ${pluginId}: ${message}`);
    }
  }
  log(`serving ${result.active.length} plugin(s): ${result.active.join(', ') || 'none'}`);
  return result;
}
