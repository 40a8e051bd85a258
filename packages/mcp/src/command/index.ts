// The command entry: `createMcpCommand` is the definition `agentplug mcp` shares with
// `agentplug-mcp` (for sibling packages), `runMcpCommand` runs `agentplug-mcp` in a process of yours.
export { type CreateMcpCommandOptions, createMcpCommand } from './mcp-command';
export { type McpCommandOptions, runMcpCommand } from './run-mcp-command';
