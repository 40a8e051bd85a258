// The naming rule lives in @agentplug/models (one rule for MCP and every agent framework adapter).
export { createToolName, MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN } from '@agentplug/models';
export {
  type ActivatePluginDirectoryOptions,
  type ActivatePluginDirectoryResult,
  activatePluginDirectory,
} from './activate-plugin-directory';
export { createMcpServer, type McpPluginServer } from './create-mcp-server';
export { listMcpTools, type McpTool } from './list-mcp-tools';
export type { McpServerOptions, McpToolCallEvent, McpToolFilterOptions } from './mcp-server-options';
export type {
  McpCapabilityEntry,
  McpInvokeOptions,
  McpPluginDescription,
  McpPluginSource,
} from './plugin-source';
export { type McpPluginServerOptions, runMcpPluginServer } from './run-mcp-plugin-server';
export { type McpStdioServerOptions, runMcpStdioServer } from './run-mcp-stdio-server';
export { type McpHttpServer, type McpHttpServerOptions, serveMcpOverHttp } from './serve-mcp-over-http';
