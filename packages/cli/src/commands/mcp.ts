import { resolve } from 'node:path';
import type { Command } from 'commander';

interface McpCommandOptions {
  plugins: string;
  includePlugin?: string[];
  excludePlugin?: string[];
  includeCapability?: string[];
  excludeCapability?: string[];
  watch?: boolean;
}

/** Registers `agentplug mcp --plugins <dir>`. */
export function registerMcpCommand(program: Command): void {
  program
    .command('mcp')
    .description('serve the plugins of a directory to MCP clients over stdio, until stdin closes')
    .requiredOption('--plugins <dir>', 'plugin directory to load, validate and activate')
    .option('--include-plugin <patterns...>', 'serve only plugins whose id matches (* and ? wildcards)')
    .option('--exclude-plugin <patterns...>', 'never serve plugins whose id matches')
    .option(
      '--include-capability <patterns...>',
      'serve only matching capabilities: "name" or "plugin.id/name"',
    )
    .option('--exclude-capability <patterns...>', 'never serve matching capabilities')
    .option('--watch', 'hot-reload a plugin when its files change')
    .addHelpText(
      'after',
      `
Standard output carries the MCP protocol; logs go to standard error.

Examples:
  $ agentplug mcp --plugins ./plugins
  $ agentplug mcp --plugins ./plugins --exclude-capability "com.example.files/*" --watch

An MCP client configuration:
  { "mcpServers": { "agentplug": { "command": "agentplug", "args": ["mcp", "--plugins", "/path/to/plugins"] } } }

Exit codes: 0 when the client closes standard input; 2 usage.`,
    )
    .action(async (options: McpCommandOptions) => {
      // Loaded on use: the MCP SDK is not needed by any other command.
      const [{ runMcpStdioServer }, { PluginValidator }] = await Promise.all([
        import('@agentplug/mcp'),
        import('@agentplug/validator'),
      ]);
      await runMcpStdioServer({
        pluginDirectory: resolve(options.plugins),
        includePlugins: options.includePlugin,
        excludePlugins: options.excludePlugin,
        includeCapabilities: options.includeCapability,
        excludeCapabilities: options.excludeCapability,
        watch: options.watch ?? false,
        validator: new PluginValidator(),
      });
    });
}
