import { PluginError, type PluginMetadata } from '@agentplug/models';

/** Options for {@link resolveLoadOrder}. */
export interface ResolveLoadOrderOptions {
  /** The discovered versions of a plugin (the loader's discovery). */
  getVersions: (pluginId: string) => PluginMetadata[];
  runtimeVersion?: string | undefined;
}

/**
 * The required dependencies of `metadata` to load first, dependencies before dependents.
 * Interim: checks presence and cycles only, until @agentplug/version's resolver is wired.
 *
 * @throws PluginError DEPENDENCY_UNRESOLVED, DEPENDENCY_CYCLE
 */
export async function resolveLoadOrder(
  metadata: PluginMetadata,
  options: ResolveLoadOrderOptions,
): Promise<string[]> {
  const order: string[] = [];
  const visiting: string[] = [];
  const done = new Set<string>();
  const visit = (current: PluginMetadata): void => {
    const id = current.plugin_id;
    if (done.has(id)) return;
    const index = visiting.indexOf(id);
    if (index >= 0) {
      const cycle = [...visiting.slice(index), id];
      throw new PluginError(
        'DEPENDENCY_CYCLE',
        `plugins depend on each other in a cycle: ${cycle.join(' → ')}`,
        {
          details: { cycle },
        },
      );
    }
    visiting.push(id);
    for (const dependency of current.dependencies) {
      if (dependency.optional) continue;
      const [found] = options.getVersions(dependency.plugin_id);
      if (!found) {
        throw new PluginError(
          'DEPENDENCY_UNRESOLVED',
          `${id} requires ${dependency.plugin_id} ${dependency.version_constraint}, which is not discovered`,
          { details: { pluginId: id, dependency: dependency.plugin_id } },
        );
      }
      visit(found);
    }
    visiting.pop();
    done.add(id);
    if (id !== metadata.plugin_id) order.push(id);
  };
  visit(metadata);
  return order;
}
