import { PluginError } from '@agentplug/models';
import type { PluginUpdate } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { formatTable, printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';
import { confirmPlan } from './install';

interface UpdateOptions {
  yes?: boolean;
  check?: boolean;
  json?: boolean;
}

/** Registers `agentplug update [id]`. */
export function registerUpdateCommand(program: Command): void {
  const command = program
    .command('update')
    .description('update installed plugins (or one) to the newest compatible version')
    .argument('[id]', 'only this plugin')
    .option('--check', 'only list the available updates')
    .option('-y, --yes', 'update without asking for confirmation')
    .option('--json', 'print the updates as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug update --check
  $ agentplug update com.example.calculator --yes

Exit codes: 0 up to date or updated, 6 declined, 5 plugin not installed, 4 unreachable.`,
  );
  command.action(async (pluginId: string | undefined, options: UpdateOptions, self: Command) => {
    await withRegistry(self, { marketplace: true }, async (registry) => {
      let updates: PluginUpdate[] = await registry.checkUpdates();
      if (pluginId !== undefined) {
        const installed = await registry.listInstalledPlugins();
        if (!installed.some((manifest) => manifest.plugin_id === pluginId)) {
          throw new PluginError('PLUGIN_NOT_FOUND', `${pluginId} is not installed`);
        }
        updates = updates.filter((update) => update.pluginId === pluginId);
      }
      if (options.check || updates.length === 0) {
        if (options.json) printJson(updates);
        else if (updates.length === 0) printLine('everything is up to date');
        else {
          printLine(
            formatTable(
              ['ID', 'INSTALLED', 'AVAILABLE'],
              updates.map((update) => [update.pluginId, update.currentVersion, update.availableVersion]),
            ),
          );
        }
        return;
      }
      const updated: PluginUpdate[] = [];
      for (const update of updates) {
        if (!options.json) {
          printLine(`update ${update.pluginId}: ${update.currentVersion} -> ${update.availableVersion}`);
        }
        await registry.install(update.pluginId, {
          range: update.availableVersion,
          confirm: confirmPlan(options, { verb: 'Update', action: 'updating' }),
          onProgress: createProgressReporter({ quiet: options.json === true }),
        });
        updated.push(update);
        if (!options.json) printLine(`updated ${update.pluginId} to ${update.availableVersion}`);
      }
      if (options.json) printJson(updated);
    });
  });
}
