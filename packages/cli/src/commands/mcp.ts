import { createMcpCommand } from '@agentplug/mcp/command';
import type { Command } from 'commander';

/**
 * Registers `agentplug mcp`: the MCP package's own command definition, the one `agentplug-mcp`
 * runs, so both take the same options (`--plugins`, `--isolation`, `--max-risk`, `--watch`,
 * `--http`, ...) and validate by default.
 */
export function registerMcpCommand(program: Command): void {
  program.addCommand(createMcpCommand({ name: 'mcp', commandPath: 'agentplug mcp' }));
}
