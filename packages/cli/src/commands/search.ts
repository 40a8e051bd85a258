import { PluginError, type PluginType } from '@agentplug/models';
import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { formatTable, printJson, printLine } from '../program/output';
import { escapeTerminalText } from '../program/terminal-text';

interface SearchOptions {
  type?: string;
  tag?: string[];
  limit?: string;
  json?: boolean;
}

const PLUGIN_TYPES: readonly PluginType[] = ['tool', 'engine', 'middleware', 'integration', 'custom'];

/** Registers `agentplug search [query]`. */
export function registerSearchCommand(program: Command): void {
  const command = program
    .command('search')
    .description('search the marketplace by words, type and tags')
    .argument('[query]', 'words to look for in id, name, description, tags and author')
    .option('--type <type>', `only plugins of this type: ${PLUGIN_TYPES.join(', ')}`)
    .option('--tag <tag...>', 'only plugins with every one of these tags')
    .option('--limit <count>', 'most results', '20')
    .option('--json', 'print the results as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug search calculator
  $ agentplug search --type tool --tag math --json

Exit codes: 0 searched (even with no results), 2 bad option or no marketplace configured, 4 unreachable, 7 untrusted index.`,
  );
  command.action(async (query: string | undefined, options: SearchOptions, self: Command) => {
    if (options.type !== undefined && !PLUGIN_TYPES.includes(options.type as PluginType)) {
      throw new PluginError('INVALID_ARGUMENT', `--type must be one of ${PLUGIN_TYPES.join(', ')}`);
    }
    const limit = Number(options.limit ?? 20);
    if (!Number.isInteger(limit) || limit < 1) {
      throw new PluginError('INVALID_ARGUMENT', '--limit must be a positive whole number');
    }
    const results = await withRegistry(self, { marketplace: true }, (registry) =>
      registry.searchMarketplace({
        ...(query === undefined ? {} : { query }),
        ...(options.type === undefined ? {} : { pluginType: options.type as PluginType }),
        ...(options.tag === undefined ? {} : { tags: options.tag }),
        limit,
      }),
    );
    if (options.json) {
      printJson(results);
      return;
    }
    if (results.length === 0) {
      printLine('no plugins found');
      return;
    }
    printLine(
      formatTable(
        ['ID', 'VERSION', 'TYPE', 'SCORE', 'DOWNLOADS', 'DESCRIPTION'],
        // Every cell comes from the marketplace: escaped so a terminal shows it and acts on none of it.
        results.map((plugin) =>
          [
            plugin.plugin_id,
            plugin.version,
            plugin.plugin_type,
            String(plugin.security_score),
            String(plugin.downloads),
            plugin.description,
          ].map(escapeTerminalText),
        ),
      ),
    );
  });
}
