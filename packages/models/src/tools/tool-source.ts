import type { PluginCapability } from '../schemas/plugin-capability';

/** One capability of an active plugin, as a tool source lists it. */
export interface ToolCapabilityEntry {
  pluginId: string;
  capability: PluginCapability;
}

/** Options passed to each call into a plugin. */
export interface ToolInvokeOptions {
  /** The call's own time limit, in milliseconds; the plugin's sandbox limit applies as well. */
  timeoutMs?: number;
  /** Aborts the call (the agent run was cancelled). */
  signal?: AbortSignal;
}

/** What a tool source says about a plugin, to describe its tools. */
export interface ToolPluginDescription {
  metadata: { name: string; description: string };
}

/**
 * The part of a plugin loader that agent framework adapters use. A `PluginLoader` from
 * `@agentplug/loader` fits; so does any object with these members (a filtered view, a test double).
 */
export interface ToolSource {
  /** The capabilities of every ACTIVE plugin, now. */
  listCapabilities(): readonly ToolCapabilityEntry[];
  /** Calls a capability: validates the params against its schema and applies the plugin's limits. */
  invoke(
    pluginId: string,
    capability: string,
    params: unknown,
    options?: ToolInvokeOptions,
  ): Promise<unknown>;
  /** Subscribes to changes of the capability list; returns the unsubscribe function. */
  on(event: 'capabilitiesChanged', listener: () => void): () => void;
  /** The plugin's state, for names and descriptions; optional. */
  getPluginState?(pluginId: string): ToolPluginDescription | null | undefined;
}
