import { createToolFilter, describeTools, type ToolDescriptor } from '@agentplug/models';
import type { McpToolFilterOptions } from './mcp-server-options';
import type { McpPluginSource } from './plugin-source';

/** One tool as the MCP server offers it, with the plugin capability behind it (the shared descriptor). */
export type McpTool = ToolDescriptor;

/**
 * Lists the tools an MCP server built on `source` offers now: one per capability of each active
 * plugin that passes the filter, sorted by name, named and described by the rule every agentplug
 * tool surface shares (`describeTools` in `@agentplug/models`).
 */
export async function listMcpTools(
  source: McpPluginSource,
  options: McpToolFilterOptions = {},
): Promise<McpTool[]> {
  return describeTools(await source.listCapabilities(), {
    isOffered: createToolFilter(options),
    describePlugin: (pluginId) => source.getPluginState?.(pluginId)?.metadata,
  });
}
