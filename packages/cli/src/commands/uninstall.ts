import { PluginError } from '@agentplug/models';
import type { Command } from 'commander';
import { confirmOrDecline } from '../program/confirm';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';

interface UninstallOptions {
  json?: boolean;
  force?: boolean;
  yes?: boolean;
}

/** Registers `agentplug uninstall <id...>`. */
export function registerUninstallCommand(program: Command): void {
  const command = program
    .command('uninstall')
    .alias('remove')
    .description('remove installed plugins (their operator configuration stays)')
    .argument('<id...>', 'plugin ids')
    .option('-y, --yes', 'remove without asking')
    .option('--force', 'uninstall even when other installed plugins require it')
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: false }).addHelpText(
    'after',
    `
Examples:
  $ agentplug uninstall com.example.calculator
  $ agentplug uninstall com.example.mathlib --force --yes

Asks first (or --yes; without a terminal and without --yes nothing is removed). The operator's
configuration in agentplug-config/<id>.json is kept for a later install.

Exit codes: 0 removed, 1 other installed plugins require it (use --force), 5 not installed,
6 declined.`,
  );
  command.action(async (pluginIds: string[], options: UninstallOptions, self: Command) => {
    await withRegistry(self, { marketplace: false }, async (registry) => {
      const installed = new Map(
        (await registry.listInstalledPlugins()).map((manifest) => [manifest.plugin_id, manifest.version]),
      );
      const missing = pluginIds.filter((pluginId) => !installed.has(pluginId));
      if (missing.length > 0) {
        throw new PluginError(
          'PLUGIN_NOT_FOUND',
          `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed in ${registry.pluginDirectory}`,
          {
            details: { pluginIds: missing },
          },
        );
      }
      const named = pluginIds.map(
        (pluginId) => `${pluginId}${installed.has(pluginId) ? `@${installed.get(pluginId)}` : ''}`,
      );
      await confirmOrDecline(`Remove ${named.join(', ')} from ${registry.pluginDirectory}?`, {
        yes: options.yes,
        action: `uninstalling ${named.join(', ')}`,
      });
      for (const pluginId of pluginIds) {
        await registry.uninstallPlugin(pluginId, { force: options.force ?? false });
        if (!options.json) printLine(`uninstalled ${pluginId}`);
      }
    });
    if (options.json) printJson(pluginIds.map((pluginId) => ({ plugin_id: pluginId, uninstalled: true })));
  });
}
