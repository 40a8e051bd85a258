import { PluginError, type PluginPermissions } from '@agentplug/models';
import type { InstallPlan } from '@agentplug/registry-client';
import { isValidConstraint } from '@agentplug/version';
import type { Command } from 'commander';
import { confirmOrDecline } from '../program/confirm';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';
import { escapeTerminalText } from '../program/terminal-text';

interface InstallCommandOptions {
  yes?: boolean;
  json?: boolean;
}

/** One line per kind of permission a plugin asks for, or "none"; safe to print. */
export function formatPermissions(permissions: PluginPermissions): string {
  const parts = Object.entries(permissions)
    .filter(([, values]) => Array.isArray(values) && values.length > 0)
    .map(([kind, values]) => `${kind}: ${(values as unknown[]).map(String).join(', ')}`);
  return parts.length === 0 ? 'none' : escapeTerminalText(parts.join('; '));
}

/**
 * Splits `com.example.calculator@^1.2.0` into the id and the optional range.
 * @throws PluginError INVALID_ARGUMENT when the range is empty or not a version constraint
 */
export function parsePluginSpec(spec: string): { pluginId: string; range: string | undefined } {
  const at = spec.indexOf('@', 1);
  if (at === -1) return { pluginId: spec, range: undefined };
  const range = spec.slice(at + 1);
  if (range === '')
    throw new PluginError('INVALID_ARGUMENT', `"${spec}" has an empty version range after "@"`);
  if (!isValidConstraint(range)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${escapeTerminalText(range)}" is not a version range (try ^1.2.0)`,
    );
  }
  return { pluginId: spec.slice(0, at), range };
}

const ACTIONS: Record<InstallPlan['steps'][number]['action'], string> = {
  install: 'install',
  update: 'update',
  unchanged: 'keep',
};

/**
 * Prints what the user is asked to accept, grouped per plugin, dependencies first: version, what
 * happens to it, security score, its permissions and which of them are new.
 */
export function describePlan(plan: InstallPlan): void {
  for (const step of plan.steps) {
    const from = step.action === 'update' ? ` (now ${step.installedVersion})` : '';
    const role = step.requested ? '' : '  [dependency]';
    printLine(`${ACTIONS[step.action]} ${step.pluginId}@${step.version}${from}${role}`);
    if (step.securityScore !== undefined) {
      printLine(`  security score: ${step.securityScore}/100 (risk ${step.riskLevel})`);
    }
    printLine(`  permissions:    ${formatPermissions(step.permissions)}`);
    if (step.action !== 'unchanged' && step.acceptedPermissions !== undefined) {
      const added = formatPermissions(step.newPermissions as unknown as PluginPermissions);
      printLine(`  new since ${step.installedVersion}: ${added}`);
    }
  }
  for (const warning of plan.warnings) printLine(`warning: ${escapeTerminalText(warning)}`);
}

/** What `install` and `update` answer to the registry's confirmation: the plan shown, then a yes or no. */
export function confirmPlan(
  options: InstallCommandOptions,
  wording: { verb: string; action: string },
): (plan: InstallPlan) => Promise<boolean> {
  return async (plan) => {
    if (!options.json) describePlan(plan);
    const changed = plan.steps.filter((step) => step.action !== 'unchanged').length;
    const others = changed > 1 ? ` and ${changed - 1} more plugin${changed > 2 ? 's' : ''}` : '';
    const what = `${plan.pluginId}@${plan.version}${others}`;
    await confirmOrDecline(`${wording.verb} ${what}?`, {
      yes: options.yes,
      action: `${wording.action} ${what}`,
    });
    return true;
  };
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

Every plugin the install brings (dependencies included) is shown with its permissions and
security score, and confirmed once before anything is downloaded; each archive must declare
exactly the permissions shown. Without a terminal, pass --yes: otherwise nothing is installed (exit 6).

Exit codes: 0 installed, 2 bad id or range, 5 no such plugin or version, 6 declined, 3 failed
validation, 4 marketplace unreachable or too slow, 7 signature, hash or archive check failed (nothing installed).`,
  );
  command.action(async (spec: string, options: InstallCommandOptions, self: Command) => {
    const { pluginId, range } = parsePluginSpec(spec);
    await withRegistry(self, { marketplace: true }, async (registry) => {
      const result = await registry.install(pluginId, {
        range,
        confirm: confirmPlan(options, { verb: 'Install', action: 'installing' }),
        onProgress: createProgressReporter({ quiet: options.json === true }),
      });
      if (options.json) {
        printJson(result);
        return;
      }
      for (const installed of result.installed)
        printLine(`installed ${installed.pluginId}@${installed.version}`);
      for (const unchanged of result.unchanged) {
        printLine(`already installed ${unchanged.pluginId}@${unchanged.version}`);
      }
      for (const warning of result.warnings) printLine(`warning: ${escapeTerminalText(warning)}`);
    });
  });
}
