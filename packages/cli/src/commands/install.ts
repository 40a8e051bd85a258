import { PluginError, type PluginPermissions } from '@agentplug/models';
import type { IndexVersionEntry, PluginRegistry } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { confirmOrDecline } from '../program/confirm';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';

interface InstallCommandOptions {
  yes?: boolean;
  json?: boolean;
}

/** One line per kind of permission a plugin asks for, or "none". */
export function formatPermissions(permissions: PluginPermissions): string {
  const parts = Object.entries(permissions)
    .filter(([, values]) => Array.isArray(values) && values.length > 0)
    .map(([kind, values]) => `${kind}: ${(values as string[]).join(', ')}`);
  return parts.length === 0 ? 'none' : parts.join('; ');
}

/** Splits `com.example.calculator@^1.2.0` into the id and the optional range. */
export function parsePluginSpec(spec: string): { pluginId: string; range: string | undefined } {
  const at = spec.indexOf('@', 1);
  if (at === -1) return { pluginId: spec, range: undefined };
  const range = spec.slice(at + 1);
  if (range === '')
    throw new PluginError('INVALID_ARGUMENT', `"${spec}" has an empty version range after "@"`);
  return { pluginId: spec.slice(0, at), range };
}

/**
 * The version `install` will choose: the newest compatible, non-yanked version in the range.
 * @throws PluginError NOT_FOUND when none is
 */
export async function chooseVersion(
  registry: PluginRegistry,
  pluginId: string,
  range: string | undefined,
): Promise<IndexVersionEntry> {
  const { satisfiesConstraint } = await import('@agentplug/version');
  const info = await registry.getPluginInfo(pluginId);
  const chosen = info.versions.find(
    (version) =>
      version.compatible &&
      !version.yanked &&
      (range === undefined || satisfiesConstraint(version.version, range)),
  );
  if (chosen === undefined) {
    throw new PluginError(
      'NOT_FOUND',
      `no version of ${pluginId}${range ? ` in range ${range}` : ''} is available for this runtime`,
      { details: { pluginId, range, versions: info.versions.map((version) => version.version) } },
    );
  }
  return chosen;
}

/** Prints what the user is asked to accept: version, security score, permissions. */
export function describeRelease(pluginId: string, release: IndexVersionEntry): void {
  printLine(`${pluginId}@${release.version}`);
  printLine(`  security score: ${release.security_score}/100 (risk ${release.risk_level})`);
  printLine(`  permissions:    ${formatPermissions(release.permissions)}`);
  if (release.dependencies.length > 0) {
    printLine(
      `  dependencies:   ${release.dependencies.map((dependency) => `${dependency.plugin_id} ${dependency.version_constraint}`).join(', ')}`,
    );
  }
}

/** Registers `agentplug install <id>[@range]`. */
export function registerInstallCommand(program: Command): void {
  const command = program
    .command('install')
    .description(
      'download, verify, validate and install a plugin (and its dependencies) from the marketplace',
    )
    .argument('<spec>', 'plugin id with an optional version range: com.example.calculator@^1.2.0')
    .option('-y, --yes', 'install without asking for confirmation')
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug install com.example.calculator
  $ agentplug install com.example.calculator@^2.0.0 --yes --plugins-dir ./plugins

The permissions and security score are shown and confirmed before anything is downloaded.
Without a terminal, pass --yes: otherwise nothing is installed (exit code 6).

Exit codes: 0 installed, 5 no such plugin or version, 6 declined, 3 failed validation,
4 marketplace unreachable, 7 signature or hash check failed (nothing installed).`,
  );
  command.action(async (spec: string, options: InstallCommandOptions, self: Command) => {
    const { pluginId, range } = parsePluginSpec(spec);
    await withRegistry(self, { marketplace: true }, async (registry) => {
      const release = await chooseVersion(registry, pluginId, range);
      if (!options.json) describeRelease(pluginId, release);
      await confirmOrDecline(`Install ${pluginId}@${release.version}?`, {
        yes: options.yes,
        action: `installing ${pluginId}@${release.version}`,
      });
      const result = await registry.install(pluginId, {
        range: release.version,
        approvePermissions: true,
        onProgress: createProgressReporter({ quiet: options.json === true }),
      });
      if (options.json) {
        printJson({ ...result, securityScore: release.security_score, permissions: release.permissions });
        return;
      }
      for (const installed of result.installed)
        printLine(`installed ${installed.pluginId}@${installed.version}`);
      for (const unchanged of result.unchanged) {
        printLine(`already installed ${unchanged.pluginId}@${unchanged.version}`);
      }
      for (const warning of result.warnings) printLine(`warning: ${warning}`);
    });
  });
}
