import type { Command } from 'commander';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { escapeTerminalText } from '../program/terminal-text';
import { formatPermissions } from './install';

/** Registers `agentplug info <id>`. */
export function registerInfoCommand(program: Command): void {
  const command = program
    .command('info')
    .description('show a marketplace plugin: description, versions, permissions, security score')
    .argument('<id>', 'plugin id, e.g. com.example.calculator')
    .option('--json', 'print the details as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug info com.example.calculator
  $ agentplug info com.example.calculator --json

Exit codes: 0 shown, 5 no such plugin, 4 unreachable, 7 untrusted index.`,
  );
  command.action(async (pluginId: string, options: { json?: boolean }, self: Command) => {
    let marketplaceUrl: string | undefined;
    const info = await withRegistry(self, { marketplace: true }, (registry) => {
      marketplaceUrl = registry.marketplaceUrl;
      return registry.getPluginInfo(pluginId);
    });
    if (options.json) {
      printJson(info);
      return;
    }
    const latest = info.versions.find((version) => version.version === info.latest_version);
    // Everything below comes from the marketplace: escaped so a terminal shows it and acts on none of it.
    const text = escapeTerminalText;
    printLine(`${text(info.name)} (${text(info.plugin_id)})`);
    printLine(`  ${text(info.description)}`);
    printLine(`  type:           ${text(info.plugin_type)}`);
    printLine(`  author:         ${text(info.author)}`);
    printLine(`  tags:           ${text(info.tags.join(', ')) || '-'}`);
    printLine(`  latest:         ${info.latest_version ?? 'none compatible with this runtime'}`);
    printLine(`  installed:      ${info.installed_version ?? 'no'}`);
    printLine(
      `  security score: ${info.security_score ?? '-'}/100${latest ? ` (risk ${latest.risk_level})` : ''}`,
    );
    printLine(`  downloads:      ${info.downloads}, rating ${info.rating.toFixed(1)} (${info.rating_count})`);
    if (latest) printLine(`  permissions:    ${formatPermissions(latest.permissions)}`);
    // The reference marketplace's web catalog shows this plugin at plugins/<id>/ (its URL-safe id, escaped anyway).
    if (marketplaceUrl !== undefined) {
      printLine(
        `  page:           ${text(new URL(`plugins/${encodeURIComponent(info.plugin_id)}/`, marketplaceUrl).href)}`,
      );
    }
    printLine('  versions:');
    for (const version of info.versions) {
      const notes = [version.yanked ? 'yanked' : '', version.compatible ? '' : 'incompatible'].filter(
        Boolean,
      );
      printLine(
        `    ${text(version.version)}  ${text(version.published_at)}${notes.length > 0 ? `  (${notes.join(', ')})` : ''}`,
      );
    }
  });
}
