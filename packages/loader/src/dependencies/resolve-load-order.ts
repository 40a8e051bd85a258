import { formatReasons, PluginError, type PluginMetadata } from '@agentplug/models';
import { checkRuntimeCompatibility, resolveDependencies } from '@agentplug/version';

/** Options for {@link resolveLoadOrder}. */
export interface ResolveLoadOrderOptions {
  /** The discovered versions of a plugin (the loader's discovery). */
  getVersions: (pluginId: string) => PluginMetadata[];
  runtimeVersion?: string | undefined;
}

/**
 * Checks that a plugin supports the runtime and resolves its dependencies with
 * @agentplug/version over the discovered plugins; returns the required dependencies to load
 * first, dependencies before dependents (optional dependencies are left to whoever loads them).
 *
 * @throws PluginError INCOMPATIBLE, DEPENDENCY_UNRESOLVED, DEPENDENCY_CYCLE (with the resolver's explanation), INVALID_VERSION, MANIFEST_INVALID
 */
export async function resolveLoadOrder(
  metadata: PluginMetadata,
  options: ResolveLoadOrderOptions,
): Promise<string[]> {
  const { runtimeVersion } = options;
  if (runtimeVersion !== undefined && !checkRuntimeCompatibility(metadata, runtimeVersion)) {
    throw new PluginError(
      'INCOMPATIBLE',
      `${metadata.plugin_id} ${metadata.version} supports runtime ${metadata.min_runtime_version} to ${metadata.max_runtime_version}, not ${runtimeVersion}`,
      {
        details: {
          pluginId: metadata.plugin_id,
          runtimeVersion,
          min_runtime_version: metadata.min_runtime_version,
          max_runtime_version: metadata.max_runtime_version,
        },
      },
    );
  }
  if (metadata.dependencies.length === 0) return [];
  const result = await resolveDependencies(
    metadata,
    { getVersions: (pluginId) => options.getVersions(pluginId) },
    runtimeVersion === undefined ? {} : { runtimeVersion },
  );
  if (!result.ok) {
    throw new PluginError(
      result.code,
      formatReasons(
        `cannot resolve the dependencies of ${metadata.plugin_id}`,
        result.explanation.split('\n').filter((line) => line.trim() !== ''),
      ),
      {
        details: { pluginId: metadata.plugin_id, plugins: result.plugins, cycle: result.cycle },
      },
    );
  }
  const required = new Set<string>();
  const visit = (current: PluginMetadata): void => {
    for (const dependency of current.dependencies) {
      if (dependency.optional || required.has(dependency.plugin_id)) continue;
      required.add(dependency.plugin_id);
      const [found] = options.getVersions(dependency.plugin_id);
      if (found) visit(found);
    }
  };
  visit(metadata);
  return result.order.filter((pluginId) => pluginId !== metadata.plugin_id && required.has(pluginId));
}
