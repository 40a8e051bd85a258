import { PluginError, type PluginMetadata } from '@agentplug/models';
import type { IndexPluginEntry } from '@agentplug/registry-client/protocol';
import { resolveDependenciesSync } from '@agentplug/version';

/**
 * Refuses a plugin whose dependencies this marketplace cannot satisfy: the resolver runs over the
 * published (not yanked) versions, as a client installing it would, and its explanation is the
 * error's message, so the author learns at publish what a host would learn at install.
 * @throws PluginError DEPENDENCY_UNRESOLVED with the resolver's explanation
 * @example
 * checkPublishDependencies(inspection.manifest, (pluginId) => catalog[pluginId]);
 */
export function checkPublishDependencies(
  manifest: PluginMetadata,
  lookup: (pluginId: string) => IndexPluginEntry | undefined,
): void {
  if ((manifest.dependencies ?? []).length === 0) return;
  const available = [];
  // Only the plugins reachable from the manifest's dependencies are read: the cost follows the
  // dependency graph, not the catalog's size.
  const pending = (manifest.dependencies ?? []).map((dependency) => dependency.plugin_id);
  const seen = new Set<string>([manifest.plugin_id]);
  for (let pluginId = pending.pop(); pluginId !== undefined; pluginId = pending.pop()) {
    if (seen.has(pluginId)) continue;
    seen.add(pluginId);
    const entry = lookup(pluginId);
    if (entry === undefined) continue;
    for (const version of Object.values(entry.versions)) {
      if (version.yanked) continue;
      for (const dependency of version.dependencies ?? []) pending.push(dependency.plugin_id);
      available.push({
        plugin_id: entry.plugin_id,
        version: version.version,
        dependencies: version.dependencies,
        min_runtime_version: version.min_runtime_version,
        max_runtime_version: version.max_runtime_version,
      });
    }
  }
  available.push(manifest);
  const result = resolveDependenciesSync(manifest, available);
  if (result.ok) return;
  throw new PluginError(
    'DEPENDENCY_UNRESOLVED',
    `${manifest.plugin_id} ${manifest.version} depends on plugins this marketplace cannot provide: ${result.explanation}`,
    { details: { pluginId: manifest.plugin_id, version: manifest.version, explanation: result.explanation } },
  );
}
