import { type PluginConfig, PluginLoadError, type PluginState } from '@agentplug/models';
import type { DiscoveredPlugin, DiscoveryResult } from '../discovery/discover-plugins';
import { toError, toLoadError } from '../errors/loader-errors';
import type { AutoLoadEntry, AutoLoadPolicy, AutoLoadResult } from '../loader/plugin-loader-options';
import type { AutoLoadCandidate } from './auto-load-order';
import { orderForAutoLoad } from './auto-load-order';

/** The part of a `PluginLoader` auto-load drives: public methods, and how a plugin's configuration reads. */
export interface AutoLoadTarget {
  discover(): Promise<DiscoveryResult>;
  getPluginState(pluginId: string): PluginState | undefined;
  loadPlugin(pluginId: string): Promise<PluginState>;
  activatePlugin(pluginId: string): Promise<PluginState>;
  /** The plugin's configuration as a load would resolve it: shipped config.json under the operator's. */
  resolveConfig(plugin: DiscoveredPlugin): Promise<PluginConfig>;
}

async function collectCandidates(
  target: AutoLoadTarget,
  discovery: DiscoveryResult,
  result: AutoLoadEntry[],
): Promise<AutoLoadCandidate[]> {
  const candidates: AutoLoadCandidate[] = [];
  const failures: AutoLoadEntry[] = [];
  await Promise.all(
    discovery.plugins.map(async (plugin) => {
      const pluginId = plugin.metadata.plugin_id;
      try {
        const config = await target.resolveConfig(plugin);
        if (!config.enabled || !config.auto_load) return;
        candidates.push({
          pluginId,
          priority: config.priority,
          dependsOn: plugin.metadata.dependencies
            .filter((dependency) => !dependency.optional)
            .map((dependency) => dependency.plugin_id),
        });
      } catch (error) {
        failures.push({ pluginId, status: 'failed', error: toLoadError(pluginId, error, 'CONFIG_INVALID') });
      }
    }),
  );
  // Reported in id order, whatever order the files were read in.
  result.push(...failures.sort((left, right) => (left.pluginId < right.pluginId ? -1 : 1)));
  return candidates;
}

/**
 * Discovers, then loads and activates the plugins whose configuration (the shipped config.json
 * under the operator's) says `enabled` and `auto_load`, in dependency order, then by `priority`
 * (higher first), then id. Plugins on a dependency cycle fail with DEPENDENCY_CYCLE; one failure
 * stops the rest only under `"abort"`. One entry per plugin taken: active, failed or skipped.
 */
export async function runAutoLoad(target: AutoLoadTarget, policy: AutoLoadPolicy): Promise<AutoLoadResult> {
  const result: AutoLoadEntry[] = [];
  const discovery = await target.discover();
  const candidates = await collectCandidates(target, discovery, result);
  const { order, cyclic } = orderForAutoLoad(candidates);
  for (const pluginId of cyclic.sort()) {
    result.push({
      pluginId,
      status: 'failed',
      error: new PluginLoadError(pluginId, `cannot auto-load ${pluginId}: it is on a dependency cycle`, {
        code: 'DEPENDENCY_CYCLE',
        details: { cyclic },
      }),
    });
  }
  const skip = (pluginIds: readonly string[]): void => {
    for (const pluginId of pluginIds) result.push({ pluginId, status: 'skipped' });
  };
  if (policy === 'abort' && result.length > 0) {
    skip(order);
    return result;
  }
  for (const [index, pluginId] of order.entries()) {
    try {
      const status = target.getPluginState(pluginId)?.status;
      if (status === undefined || status === 'unloaded') await target.loadPlugin(pluginId);
      if (target.getPluginState(pluginId)?.status !== 'active') await target.activatePlugin(pluginId);
      result.push({ pluginId, status: 'active', state: target.getPluginState(pluginId) });
    } catch (error) {
      result.push({ pluginId, status: 'failed', error: toError(error) });
      if (policy === 'abort') {
        skip(order.slice(index + 1));
        break;
      }
    }
  }
  return result;
}
