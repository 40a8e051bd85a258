import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';

/** Registers `agentplug uninstall <id>`. */
export function registerUninstallCommand(program: Command): void {
  const command = program
    .command('uninstall')
    .description('remove an installed plugin')
    .argument('<id>', 'plugin id')
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: false }).addHelpText(
    'after',
    `
Examples:
  $ agentplug uninstall com.example.calculator

Exit codes: 0 removed, 5 not installed.`,
  );
  command.action(async (pluginId: string, options: { json?: boolean }, self: Command) => {
    await withRegistry(self, { marketplace: false }, (registry) => registry.uninstallPlugin(pluginId));
    if (options.json) printJson({ pluginId, uninstalled: true });
    else printLine(`uninstalled ${pluginId}`);
  });
}
