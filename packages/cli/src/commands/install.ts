import { resolve } from 'node:path';
import { PluginError, type PluginPermissions, PluginValidationError } from '@agentplug/models';
import type { InstallConfirmation, InstallPlan, InstallResult } from '@agentplug/registry-client';
import { compareVersions, isValidConstraint } from '@agentplug/version';
import type { Command } from 'commander';
import { createCommandFailure } from '../program/command-failure';
import { confirmOrDecline } from '../program/confirm';
import { ExitCode } from '../program/exit-codes';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';
import { escapeTerminalText } from '../program/terminal-text';
import { withUserPath } from '../program/user-paths';
import { restoreFromLockFile } from './ci';

/** One line per kind of permission a plugin asks for, or "none"; safe to print. */
export function formatPermissions(permissions: PluginPermissions): string {
  const parts = Object.entries(permissions)
    .filter(([, values]) => Array.isArray(values) && values.length > 0)
    .map(([kind, values]) => `${kind}: ${(values as unknown[]).map(String).join(', ')}`);
  return parts.length === 0 ? 'none' : escapeTerminalText(parts.join('; '));
}

/**
 * Splits `com.example.calculator@^1.2.0` into the id and the optional range; `@latest` (or no `@`)
 * means the newest version.
 * @throws PluginError INVALID_ARGUMENT when the range is empty or not a version constraint
 */
export function parsePluginSpec(spec: string): { pluginId: string; range: string | undefined } {
  const at = spec.indexOf('@', 1);
  if (at === -1) return { pluginId: spec, range: undefined };
  const range = spec.slice(at + 1);
  if (range === '')
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${escapeTerminalText(spec)}" has an empty version range after "@"`,
    );
  if (range === 'latest') return { pluginId: spec.slice(0, at), range: undefined };
  if (!isValidConstraint(range)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${escapeTerminalText(range)}" is not a version range (try ^1.2.0, 1.2.3 or latest)`,
    );
  }
  return { pluginId: spec.slice(0, at), range };
}

/**
 * A failed validation of a local folder or archive, its message naming the user's own path (the
 * registry validated a staged copy, whose file names are relative to it): each file of a folder
 * as the user would type it, and an archive's by the archive. Other failures are returned as they are.
 */
function namingLocalSource(error: unknown, source: string): unknown {
  if (!(error instanceof PluginValidationError)) return error;
  const absolute = resolve(source);
  const isArchive = /\.(?:tgz|tar\.gz)$/i.test(source);
  const errors = error.validationResult.errors.map((message) =>
    isArchive ? message : withUserPath(message, absolute),
  );
  return createCommandFailure(
    'VALIDATION_FAILED',
    `${isArchive ? `${absolute} (files inside the archive)` : absolute} failed validation, not installed: ${errors.join('; ')}`,
    ExitCode.VALIDATION_FAILED,
    { cause: error, details: { errors: error.validationResult.errors } },
  );
}

/** Whether an install argument names a local archive or folder rather than a marketplace plugin. */
export function isLocalSpec(spec: string): boolean {
  return (
    spec.startsWith('.') ||
    spec.startsWith('/') ||
    spec.startsWith('~') ||
    spec.includes('\\') ||
    spec.includes('/') ||
    spec.endsWith('.tgz') ||
    spec.endsWith('.tar.gz')
  );
}

const ACTIONS: Record<InstallPlan['steps'][number]['action'], string> = {
  install: 'install',
  update: 'update',
  unchanged: 'keep',
};

function hasAny(permissions: Record<string, string[]>): boolean {
  return Object.values(permissions).some((values) => values.length > 0);
}

/**
 * Prints what the user is asked to accept, per plugin, dependencies first: version, what happens to
 * it, security score, and its permissions: all of them for a first install, else which are new
 * (`+`), kept and dropped (`-`) since the version installed, and whether the plan widens what was granted.
 */
export function describePlan(plan: InstallPlan): void {
  for (const step of plan.steps) {
    const from = step.action === 'update' ? ` (now ${step.installedVersion})` : '';
    const role = step.requested ? '' : '  [dependency]';
    // An "update" to an older version (an exact older version asked for) says so.
    const action =
      step.action === 'update' &&
      step.installedVersion !== undefined &&
      compareVersions(step.version, step.installedVersion) < 0
        ? 'downgrade'
        : ACTIONS[step.action];
    printLine(`${action} ${step.pluginId}@${step.version}${from}${role}`);
    if (step.securityScore !== undefined) {
      printLine(`  security score: ${step.securityScore}/100 (risk ${step.riskLevel})`);
    }
    if (step.acceptedPermissions === undefined || step.action === 'unchanged') {
      printLine(`  permissions:    ${formatPermissions(step.permissions)}`);
      if (step.widens) printLine('  (new to this folder: all of these widen what is granted)');
      continue;
    }
    const asPermissions = (value: Record<string, string[]>) => value as unknown as PluginPermissions;
    printLine(
      `  + new:          ${hasAny(step.newPermissions) ? formatPermissions(asPermissions(step.newPermissions)) : 'none'}`,
    );
    printLine(
      `    kept:         ${hasAny(step.keptPermissions) ? formatPermissions(asPermissions(step.keptPermissions)) : 'none'}`,
    );
    printLine(
      `  - dropped:      ${hasAny(step.droppedPermissions) ? formatPermissions(asPermissions(step.droppedPermissions)) : 'none'}`,
    );
  }
  if (plan.widens) {
    printLine('This widens the permissions granted (+ above): it needs your explicit approval.');
  }
  for (const warning of plan.warnings) printLine(`warning: ${escapeTerminalText(warning)}`);
}

/** Options of `install` and `update` that govern consent. */
export interface ConsentOptions {
  yes?: boolean;
  approvePermissions?: boolean;
  json?: boolean;
}

/**
 * The answer to a consent question about `what` (already shown to the user): `--approve-permissions`
 * approves everything; `--yes` answers for everything but new permissions, which are asked for on a
 * terminal; without one the answer is a yes that does not approve them, which the registry then
 * refuses (PERMISSIONS_ESCALATED, exit 6, nothing changed).
 * @throws PluginError DECLINED (answered no, or no terminal to ask and no --yes)
 */
export async function decideConsent(
  options: ConsentOptions,
  question: { what: string; widens: boolean; verb: string; action: string },
): Promise<InstallConfirmation> {
  if (options.approvePermissions) return { approvePermissions: true };
  if (options.yes && (!question.widens || !process.stdin.isTTY)) return true;
  await confirmOrDecline(
    question.widens
      ? `${question.verb} ${question.what}, granting the new permissions marked +?`
      : `${question.verb} ${question.what}?`,
    {
      yes: false,
      action: `${question.action} ${question.what}`,
      hint: question.widens
        ? 'Review the new permissions, then answer "y" on a terminal or pass --approve-permissions.'
        : undefined,
    },
  );
  // The question named the new permissions: a yes on the terminal approves them.
  return { approvePermissions: question.widens };
}

/**
 * What `install` answers to the registry's confirmation: the plan shown (unless --json), then a yes
 * or no (see {@link decideConsent}): widening is approved by `--approve-permissions` or by answering
 * the terminal's question, never by `--yes` alone.
 */
export function confirmPlan(
  options: ConsentOptions,
  wording: { verb: string; action: string },
): (plan: InstallPlan) => Promise<InstallConfirmation> {
  return async (plan) => {
    if (!options.json) describePlan(plan);
    const changed = plan.steps.filter((step) => step.action !== 'unchanged').length;
    const others = changed > 1 ? ` and ${changed - 1} more plugin${changed > 2 ? 's' : ''}` : '';
    return decideConsent(options, {
      what: `${plan.pluginId}@${plan.version}${others}`,
      widens: plan.widens,
      ...wording,
    });
  };
}

/** Registers `agentplug install [spec...]`. */
export function registerInstallCommand(program: Command): void {
  const command = program
    .command('install')
    .alias('i')
    .description(
      'install plugins from the marketplace or local files, or (with no argument) exactly what the lock file records',
    )
    .argument(
      '[spec...]',
      'plugin id with an optional range (com.example.calculator@^1.2.0, @latest), or ./plugin.tgz, or ./folder',
    )
    .option('-y, --yes', 'accept without asking (not enough for new permissions of an installed plugin)')
    .option(
      '--approve-permissions',
      'accept, also approving new permissions for plugins already installed (implies --yes)',
    )
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug install com.example.calculator
  $ agentplug install com.example.calculator@^2.0.0 --yes --plugins-dir ./plugins
  $ agentplug install ./com.example.calculator-2.0.0.tgz
  $ agentplug install            # make ./plugins match agentplug-lock.json (like agentplug ci)

Every plugin the install brings (dependencies included) is shown with its permissions (new, kept
and dropped for one already installed) and security score, and confirmed once before anything is
downloaded; each archive must declare exactly the permissions shown. The lock file records the
range asked for (^<version> when none), which update stays inside. Without a terminal, pass --yes;
new permissions for a plugin already installed also need --approve-permissions. A local archive or
folder is validated, shown and installed the same way, recorded as a file: source with its hash.

Exit codes: 0 installed, 2 bad id, range or path, 5 no such plugin or version, 6 declined (or new
permissions not approved), 3 failed validation, 4 marketplace unreachable or too slow, 7 signature,
hash or archive check failed (nothing installed).`,
  );
  command.action(async (specs: string[], options: ConsentOptions, self: Command) => {
    if (specs.length === 0) {
      await restoreFromLockFile(self, { ...options, action: 'installing from the lock file' });
      return;
    }
    const local = specs.filter(isLocalSpec);
    const remote = specs.filter((spec) => !isLocalSpec(spec)).map(parsePluginSpec);
    const results: InstallResult[] = [];
    await withRegistry(self, { marketplace: remote.length > 0 }, async (registry) => {
      for (const path of local) {
        results.push(
          await registry
            .installLocal(path, { confirm: confirmPlan(options, { verb: 'Install', action: 'installing' }) })
            .catch((error: unknown) => {
              throw namingLocalSource(error, path);
            }),
        );
      }
      for (const { pluginId, range } of remote) {
        results.push(
          await registry.install(pluginId, {
            range,
            confirm: confirmPlan(options, { verb: 'Install', action: 'installing' }),
            onProgress: createProgressReporter({ quiet: options.json === true }),
          }),
        );
      }
    });
    if (options.json) {
      printJson(results.length === 1 ? results[0] : results);
      return;
    }
    for (const result of results) {
      for (const installed of result.installed)
        printLine(`installed ${installed.pluginId}@${installed.version}`);
      for (const unchanged of result.unchanged) {
        printLine(`already installed ${unchanged.pluginId}@${unchanged.version}`);
      }
      for (const relocked of result.relocked) {
        printLine(`recorded ${relocked.pluginId}@${relocked.version} anew in the lock file`);
      }
      for (const warning of result.warnings) printLine(`warning: ${escapeTerminalText(warning)}`);
    }
  });
}
