import type { PluginCapability } from '../../schemas/plugin-capability';
import type { ToolCapabilityEntry, ToolInvokeOptions, ToolSource } from '../tool-source';

/** A call the in-memory source received. */
export interface RecordedCall {
  pluginId: string;
  capability: string;
  params: unknown;
  options: ToolInvokeOptions | undefined;
}

/**
 * A tool source over plain data, for unit tests of the catalog rules: plugins are set and removed
 * by hand and each change is announced like a loader announces it. The adapters' integration
 * tests use the real PluginLoader.
 */
export class MemoryToolSource implements ToolSource {
  readonly calls: RecordedCall[] = [];
  private readonly plugins = new Map<
    string,
    { name: string; description: string; capabilities: PluginCapability[] }
  >();
  private readonly listeners = new Set<() => void>();

  setPlugin(
    pluginId: string,
    capabilities: PluginCapability[],
    name: string = pluginId,
    description = '',
  ): void {
    this.plugins.set(pluginId, { name, description, capabilities });
    this.announce();
  }

  removePlugin(pluginId: string): void {
    this.plugins.delete(pluginId);
    this.announce();
  }

  /** Announces a change without making one, as a loader does after reloading identical code. */
  announce(): void {
    for (const listener of [...this.listeners]) listener();
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  listCapabilities(): ToolCapabilityEntry[] {
    return [...this.plugins].flatMap(([pluginId, plugin]) =>
      plugin.capabilities.map((capability) => ({ pluginId, capability })),
    );
  }

  async invoke(
    pluginId: string,
    capability: string,
    params: unknown,
    options?: ToolInvokeOptions,
  ): Promise<unknown> {
    this.calls.push({ pluginId, capability, params, options });
    return { pluginId, capability, params };
  }

  on(_event: 'capabilitiesChanged', listener: () => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  getPluginState(pluginId: string): { metadata: { name: string; description: string } } | undefined {
    const plugin = this.plugins.get(pluginId);
    return plugin && { metadata: { name: plugin.name, description: plugin.description } };
  }
}

/** A capability with an object schema of the given properties. */
export function capability(
  name: string,
  properties: Record<string, unknown> = {},
  description = '',
): PluginCapability {
  return { name, description, version: '1.0.0', parameters: { type: 'object', properties } };
}
