import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';

/** Registers `agentplug uninstall <id>`. */
export function registerUninstallCommand(program: Command): void {
  const command = program
    .command('uninstall')
    .description('remove an installed plugin')
    .argument('<id>', 'plugin id')
    .option('--force', 'uninstall even when other installed plugins require it')
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: false }).addHelpText(
    'after',
    `
Examples:
  $ agentplug uninstall com.example.calculator
  $ agentplug uninstall com.example.mathlib --force

Exit codes: 0 removed, 1 other installed plugins require it (use --force), 5 not installed.`,
  );
  command.action(async (pluginId: string, options: { json?: boolean; force?: boolean }, self: Command) => {
    await withRegistry(self, { marketplace: false }, (registry) =>
      registry.uninstallPlugin(pluginId, { force: options.force ?? false }),
    );
    if (options.json) printJson({ pluginId, uninstalled: true });
    else printLine(`uninstalled ${pluginId}`);
  });
}
