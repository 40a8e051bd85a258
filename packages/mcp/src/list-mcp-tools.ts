import type { McpPluginSource } from './plugin-source';
import { createToolFilter, type McpToolFilterOptions } from './tool-filter';
import { createToolName } from './tool-name';

/** One tool as the MCP server offers it, with the plugin capability behind it. */
export interface McpTool {
  /** The MCP tool name, from {@link createToolName}. */
  name: string;
  /** A human-readable title: the plugin's name and the capability's name. */
  title: string;
  /** The capability's description from the manifest (the plugin's, when the capability has none). */
  description: string;
  /** The capability's `parameters` JSON Schema, with `type: "object"` made explicit. */
  inputSchema: { type: 'object'; [key: string]: unknown };
  pluginId: string;
  capability: string;
  /** The capability's version from the manifest. */
  capabilityVersion: string;
}

/**
 * Lists the tools an MCP server built on `source` offers now: one per capability of each active
 * plugin that passes the filter, sorted by name. When two capabilities would share a name (only
 * possible through a hash collision), the first in plugin id order wins and the other is left out.
 */
export async function listMcpTools(
  source: McpPluginSource,
  options: McpToolFilterOptions = {},
): Promise<McpTool[]> {
  const isServed = createToolFilter(options);
  const entries = [...(await source.listCapabilities())].sort(
    (left, right) =>
      compareText(left.pluginId, right.pluginId) || compareText(left.capability.name, right.capability.name),
  );
  const tools = new Map<string, McpTool>();
  for (const { pluginId, capability } of entries) {
    if (!isServed(pluginId, capability.name)) continue;
    const name = createToolName(pluginId, capability.name);
    if (tools.has(name)) continue;
    const metadata = source.getPluginState?.(pluginId)?.metadata;
    const parameters = capability.parameters ?? {};
    tools.set(name, {
      name,
      title: `${metadata?.name ?? pluginId}: ${capability.name}`,
      description: capability.description || metadata?.description || `${capability.name} of ${pluginId}`,
      inputSchema: { ...parameters, type: 'object' },
      pluginId,
      capability: capability.name,
      capabilityVersion: capability.version,
    });
  }
  return [...tools.values()].sort((left, right) => compareText(left.name, right.name));
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
