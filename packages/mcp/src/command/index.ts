export { type CreateMcpCommandOptions, createMcpCommand } from './mcp-command';
export { type McpCommandOptions, runMcpCommand } from './run-mcp-command';
