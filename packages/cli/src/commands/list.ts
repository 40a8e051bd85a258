import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { formatTable, printJson, printLine } from '../program/output';

/** Registers `agentplug list`. */
export function registerListCommand(program: Command): void {
  const command = program
    .command('list')
    .description('list the installed plugins')
    .option('--json', 'print the installed manifests as JSON');
  addRegistryOptions(command, { marketplace: false }).addHelpText(
    'after',
    `
Examples:
  $ agentplug list
  $ agentplug list --plugins-dir ./plugins --json

Exit codes: 0 listed (even when none are installed).`,
  );
  command.action(async (options: { json?: boolean }, self: Command) => {
    const installed = await withRegistry(self, { marketplace: false }, (registry) =>
      registry.listInstalledPlugins(),
    );
    if (options.json) {
      printJson(installed);
      return;
    }
    if (installed.length === 0) {
      printLine('no plugins installed');
      return;
    }
    printLine(
      formatTable(
        ['ID', 'VERSION', 'TYPE', 'NAME'],
        installed.map((manifest) => [
          manifest.plugin_id,
          manifest.version,
          manifest.plugin_type,
          manifest.name,
        ]),
      ),
    );
  });
}
