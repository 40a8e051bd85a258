import { PluginLoadError, type PluginState, readConfig } from '@agentplug/models';
import type { DiscoveryResult } from '../discovery/discover-plugins';
import { toError, toLoadError } from '../errors/loader-errors';
import type { AutoLoadPolicy, AutoLoadResult } from '../loader/plugin-loader-options';
import type { AutoLoadCandidate } from './auto-load-order';
import { orderForAutoLoad } from './auto-load-order';

/** The part of a `PluginLoader` auto-load drives: public methods only. */
export interface AutoLoadTarget {
  discover(): Promise<DiscoveryResult>;
  getPluginState(pluginId: string): PluginState | undefined;
  loadPlugin(pluginId: string): Promise<PluginState>;
  activatePlugin(pluginId: string): Promise<PluginState>;
}

async function collectCandidates(
  discovery: DiscoveryResult,
  result: AutoLoadResult,
): Promise<AutoLoadCandidate[]> {
  const candidates: AutoLoadCandidate[] = [];
  await Promise.all(
    discovery.plugins.map(async (plugin) => {
      try {
        const fileConfig = await readConfig(plugin.pluginPath);
        if (!fileConfig?.enabled || !fileConfig.auto_load) return;
        candidates.push({
          pluginId: plugin.metadata.plugin_id,
          priority: fileConfig.priority,
          dependsOn: plugin.metadata.dependencies
            .filter((dependency) => !dependency.optional)
            .map((dependency) => dependency.plugin_id),
        });
      } catch (error) {
        result.failed.push({
          pluginId: plugin.metadata.plugin_id,
          error: toLoadError(plugin.metadata.plugin_id, error, 'CONFIG_INVALID'),
        });
      }
    }),
  );
  return candidates;
}

/**
 * Discovers, then loads and activates the plugins whose config.json says `enabled` and
 * `auto_load`, in dependency order, then by `priority` (higher first), then id. Plugins on a
 * dependency cycle fail with DEPENDENCY_CYCLE; one failure stops the rest only under `"abort"`.
 */
export async function runAutoLoad(target: AutoLoadTarget, policy: AutoLoadPolicy): Promise<AutoLoadResult> {
  const result: AutoLoadResult = { loaded: [], failed: [], skipped: [] };
  const discovery = await target.discover();
  const candidates = await collectCandidates(discovery, result);
  const { order, cyclic } = orderForAutoLoad(candidates);
  for (const pluginId of cyclic.sort()) {
    result.failed.push({
      pluginId,
      error: new PluginLoadError(pluginId, `cannot auto-load ${pluginId}: it is on a dependency cycle`, {
        code: 'DEPENDENCY_CYCLE',
        details: { cyclic },
      }),
    });
  }
  if (policy === 'abort' && result.failed.length > 0) {
    result.skipped.push(...order);
    return result;
  }
  for (const [index, pluginId] of order.entries()) {
    try {
      const status = target.getPluginState(pluginId)?.status;
      if (status === undefined || status === 'unloaded') await target.loadPlugin(pluginId);
      if (target.getPluginState(pluginId)?.status !== 'active') await target.activatePlugin(pluginId);
      result.loaded.push(target.getPluginState(pluginId)!);
    } catch (error) {
      result.failed.push({ pluginId, error: toError(error) });
      if (policy === 'abort') {
        result.skipped.push(...order.slice(index + 1));
        break;
      }
    }
  }
  return result;
}
