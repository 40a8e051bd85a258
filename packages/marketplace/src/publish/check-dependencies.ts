import { PluginError, type PluginMetadata } from '@agentplug/models';
import type { IndexPluginEntry } from '@agentplug/registry-client/protocol';
import { resolveDependenciesSync } from '@agentplug/version';

/**
 * Refuses a plugin whose dependencies this marketplace cannot satisfy: the resolver runs over the
 * published (not yanked) versions, as a client installing it would, and its explanation is the
 * error's message, so the author learns at publish what a host would learn at install.
 * @throws PluginError DEPENDENCY_UNRESOLVED with the resolver's explanation
 * @example
 * checkPublishDependencies(inspection.manifest, catalog);
 */
export function checkPublishDependencies(
  manifest: PluginMetadata,
  catalog: Readonly<Record<string, IndexPluginEntry>>,
): void {
  if ((manifest.dependencies ?? []).length === 0) return;
  const available = [];
  for (const entry of Object.values(catalog)) {
    if (entry.plugin_id === manifest.plugin_id) continue;
    for (const version of Object.values(entry.versions)) {
      if (version.yanked) continue;
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
