import type { PluginCapability } from '@agentplug/models';

/** One capability of an active plugin, as the plugin source lists it. */
export interface McpCapabilityEntry {
  pluginId: string;
  capability: PluginCapability;
}

/** Options the MCP server passes to each call into a plugin. */
export interface McpInvokeOptions {
  /** The call's own time limit, in milliseconds; the plugin's sandbox limit applies as well. */
  timeoutMs?: number;
  /** Aborted when the MCP client cancels the request or disconnects. */
  signal?: AbortSignal;
}

/** What the MCP server reads about a plugin to describe its tools. */
export interface McpPluginDescription {
  metadata: { name: string; version: string; description: string };
}

/**
 * The part of a plugin loader the MCP server uses. A `PluginLoader` from `@agentplug/loader` fits;
 * any object with these members does too (a test double, a remote loader, a filtered view).
 */
export interface McpPluginSource {
  /** The capabilities of every ACTIVE plugin. */
  listCapabilities(): readonly McpCapabilityEntry[] | Promise<readonly McpCapabilityEntry[]>;
  /** Calls a capability: validates the params against its schema and applies the plugin's limits. */
  invoke(pluginId: string, capability: string, params: unknown, options?: McpInvokeOptions): Promise<unknown>;
  /** Subscribes to changes of the capability list; returns the unsubscribe function. */
  on(event: 'capabilitiesChanged', listener: () => void): () => void;
  /** The plugin's state, for names and descriptions; optional. */
  getPluginState?(pluginId: string): McpPluginDescription | null | undefined;
}
