import { PluginError } from '@agentplug/models';
import type { HeldBackUpdate, InstallPlan, PluginUpdate, RevokedPlugin } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { createCommandFailure, readCommandExitCode } from '../program/command-failure';
import { exitCodeForError } from '../program/exit-codes';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { formatTable, printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';
import { escapeTerminalText } from '../program/terminal-text';
import { type ConsentOptions, decideConsent, describePlan } from './install';

interface UpdateOptions extends ConsentOptions {
  check?: boolean;
  latest?: boolean;
}

/** The refusal of updates whose new permissions were not approved, before any of them installed. */
function refuseWidening(plans: readonly InstallPlan[]): PluginError {
  const reasons = plans.flatMap((plan) =>
    plan.steps
      .filter((step) => step.widens)
      .map(
        (step) =>
          `${step.pluginId}@${step.version} adds ${Object.entries(step.newPermissions)
            .map(([kind, values]) => `${kind}: ${values.join(', ')}`)
            .join('; ')}`,
      ),
  );
  return new PluginError(
    'PERMISSIONS_ESCALATED',
    `updating widens granted permissions and they were not approved, so nothing was changed: ${escapeTerminalText(reasons.join('; '))}`,
    { details: { escalated: reasons } },
  );
}

/**
 * A failure part-way through several updates, its message saying which ones went through before
 * it (each update is whole or not at all, but they are not one transaction).
 */
function namingDone(error: unknown, updated: readonly PluginUpdate[]): unknown {
  if (updated.length === 0 || !PluginError.is(error)) return error;
  const done = updated.map((update) => `${update.pluginId} ${update.availableVersion}`).join(', ');
  const [first = '', ...rest] = error.message.split('\n');
  return createCommandFailure(
    error.code,
    [`${first} (updated before it: ${done})`, ...rest].join('\n'),
    readCommandExitCode(error) ?? exitCodeForError(error),
    { cause: error, details: { ...error.details, updatedBefore: updated.map((update) => update.pluginId) } },
  );
}

/** Registers `agentplug update [id]`. */
export function registerUpdateCommand(program: Command): void {
  const command = program
    .command('update')
    .alias('upgrade')
    .description(
      'update installed plugins (or one) to the newest version inside the range the lock file records',
    )
    .argument('[id]', 'only this plugin')
    .option('--check', 'only list the available updates and the installed versions the marketplace revoked')
    .option('--latest', 'go past the recorded ranges to the newest version (and record ^<new version>)')
    .option('-y, --yes', 'update without asking, as long as no permission is added')
    .option('--approve-permissions', 'accept, also approving permissions an update adds (implies --yes)')
    .option('--json', 'print the updates as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug update --check
  $ agentplug update com.example.calculator --yes
  $ agentplug update com.example.calculator --latest --approve-permissions

Each update is shown with its permissions new (+), kept and dropped (-), dependencies included, and
all of them are asked for at once, before the first installs. Without a terminal, --yes accepts an update that adds no permission; one that adds any
(or brings a new dependency that asks for any) needs --approve-permissions, else nothing changes
and the exit code is 6. The operator's configuration (agentplug-config/<id>.json) is kept and
checked against the new version first.

Installed versions the marketplace has revoked are listed first (REVOKED, with the severity and the
marketplace's reason) and recorded in agentplug-revocations.json beside the lock file, where the
loader refuses to load critical ones.

Exit codes: 0 up to date or updated (revoked versions are reported, not an error), 3 the operator configuration does not fit the new version,
5 plugin not installed, 6 declined or new permissions not approved, 4 unreachable.`,
  );
  command.action(async (pluginId: string | undefined, options: UpdateOptions, self: Command) => {
    await withRegistry(self, { marketplace: true }, async (registry) => {
      let updates: PluginUpdate[] = await registry.checkUpdates({ latest: options.latest === true });
      let heldBack: HeldBackUpdate[] = options.latest ? [] : await registry.findHeldBackUpdates();
      let revoked: RevokedPlugin[] = await registry.checkRevocations();
      if (pluginId !== undefined) {
        const installed = await registry.listInstalledPlugins();
        if (!installed.some((manifest) => manifest.plugin_id === pluginId)) {
          throw new PluginError(
            'PLUGIN_NOT_FOUND',
            `${pluginId} is not installed in ${registry.pluginDirectory}`,
            {
              details: { pluginId },
            },
          );
        }
        updates = updates.filter((update) => update.pluginId === pluginId);
        heldBack = heldBack.filter((update) => update.pluginId === pluginId);
        revoked = revoked.filter((revocation) => revocation.pluginId === pluginId);
      }
      if (!options.json) {
        for (const revocation of revoked) {
          // What to do depends on where a version that is not revoked is: in range, past it, or nowhere.
          const { pluginId } = revocation;
          const advice = updates.some((update) => update.pluginId === pluginId)
            ? `run "agentplug update ${pluginId}"`
            : heldBack.some((held) => held.pluginId === pluginId)
              ? `run "agentplug update ${pluginId} --latest"`
              : `no newer version to update to: install another ("agentplug info ${pluginId}" lists them) or run "agentplug uninstall ${pluginId}"`;
          printLine(
            // The reason is the marketplace's text: escaped, so it cannot drive the terminal.
            `REVOKED ${pluginId} ${escapeTerminalText(revocation.version)} (${revocation.severity}): ${escapeTerminalText(revocation.reason)}; ${advice}`,
          );
        }
      }
      const printHeldBack = (): void => {
        for (const held of heldBack) {
          printLine(
            `${held.pluginId} ${held.latestVersion} is outside its range ${held.range}: run "agentplug update ${held.pluginId} --latest" to take it`,
          );
        }
      };
      if (options.check || updates.length === 0) {
        if (options.json) printJson({ updates, heldBack, revoked });
        else {
          if (updates.length === 0) printLine('everything is up to date within the recorded ranges');
          else {
            printLine(
              formatTable(
                ['ID', 'INSTALLED', 'AVAILABLE', 'RANGE'],
                updates.map((update) => [
                  update.pluginId,
                  update.currentVersion,
                  update.availableVersion,
                  update.range,
                ]),
              ),
            );
          }
          printHeldBack();
        }
        return;
      }
      // Every update is planned, shown and consented to before the first one installs: a refusal
      // (declined, new permissions not approved) changes nothing, whichever plugin it is about.
      const plans: InstallPlan[] = [];
      for (const update of updates) {
        if (!options.json) {
          printLine(`update ${update.pluginId}: ${update.currentVersion} -> ${update.availableVersion}`);
        }
        const plan = await registry.planInstall(update.pluginId, {
          version: update.availableVersion,
          update: true,
        });
        if (!options.json) describePlan(plan);
        plans.push(plan);
      }
      const widening = plans.filter((plan) => plan.widens);
      const answer = await decideConsent(options, {
        what:
          updates.length === 1
            ? `${updates[0]?.pluginId}@${updates[0]?.availableVersion}`
            : `${updates.length} plugins`,
        widens: widening.length > 0,
        verb: 'Update',
        action: 'updating',
      });
      if (widening.length > 0 && !(typeof answer === 'object' && answer.approvePermissions)) {
        throw refuseWidening(widening);
      }
      const lockFile = await registry.readLockFile();
      const updated: PluginUpdate[] = [];
      for (const update of updates) {
        const locked = lockFile.plugins[update.pluginId];
        try {
          await registry.install(update.pluginId, {
            version: update.availableVersion,
            // --latest moves the range with the version; otherwise it stays what was asked for.
            range: options.latest
              ? `^${update.availableVersion}`
              : (locked?.range ?? `^${update.currentVersion}`),
            update: true,
            // Asked above, for every update at once; the registry still refuses what was not approved.
            confirm: () => answer,
            onProgress: createProgressReporter({ quiet: options.json === true }),
          });
        } catch (error) {
          throw namingDone(error, updated);
        }
        updated.push(update);
        if (!options.json) printLine(`updated ${update.pluginId} to ${update.availableVersion}`);
      }
      if (options.json) printJson({ updates: updated, heldBack, revoked });
      else printHeldBack();
    });
  });
}
