import { type PluginCapability, PluginError } from '@agentplug/models';
import type { McpCapabilityEntry, McpInvokeOptions, McpPluginSource } from '../plugin-source';

type Handler = (params: Record<string, unknown>, options: McpInvokeOptions) => unknown;

/**
 * A plugin source held in memory, for tests of the server's own behaviour (naming, filters,
 * results, audit). The end-to-end tests use the real PluginLoader.
 */
export class MemoryPluginSource implements McpPluginSource {
  readonly calls: { pluginId: string; capability: string; params: unknown }[] = [];
  private readonly plugins = new Map<
    string,
    { capabilities: PluginCapability[]; handlers: Record<string, Handler> }
  >();
  private readonly listeners = new Set<() => void>();

  addPlugin(
    pluginId: string,
    capabilities: Record<string, { capability?: Partial<PluginCapability>; handler: Handler }>,
  ): void {
    this.plugins.set(pluginId, {
      capabilities: Object.entries(capabilities).map(([name, entry]) => ({
        name,
        description: `${name} does things`,
        version: '1.0.0',
        parameters: { type: 'object', properties: {} },
        ...entry.capability,
      })),
      handlers: Object.fromEntries(
        Object.entries(capabilities).map(([name, entry]) => [name, entry.handler]),
      ),
    });
    this.emit();
  }

  removePlugin(pluginId: string): void {
    this.plugins.delete(pluginId);
    this.emit();
  }

  listCapabilities(): McpCapabilityEntry[] {
    return [...this.plugins].flatMap(([pluginId, plugin]) =>
      plugin.capabilities.map((capability) => ({ pluginId, capability })),
    );
  }

  async invoke(
    pluginId: string,
    capability: string,
    params: unknown,
    options: McpInvokeOptions = {},
  ): Promise<unknown> {
    this.calls.push({ pluginId, capability, params });
    const handler = this.plugins.get(pluginId)?.handlers[capability];
    if (!handler) throw new PluginError('NOT_ACTIVE', `${pluginId} is not active`);
    return handler(params as Record<string, unknown>, options);
  }

  on(_event: 'capabilitiesChanged', listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }
}
