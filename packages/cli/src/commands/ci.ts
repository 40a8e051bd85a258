import { PluginError } from '@agentplug/models';
import type { RestoreChanges, RestoreResult } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { createCommandFailure } from '../program/command-failure';
import { confirmOrDecline } from '../program/confirm';
import { ExitCode } from '../program/exit-codes';
import { addRegistryOptions, withRegistry } from '../program/open-registry';
import { printJson, printLine } from '../program/output';
import { createProgressReporter } from '../program/progress';

/** Prints what a restore will replace and remove. */
function describeChanges(changes: RestoreChanges): void {
  for (const { pluginId, version } of changes.create) printLine(`install ${pluginId}@${version}`);
  for (const { pluginId, version } of changes.replace) {
    printLine(`replace ${pluginId} with ${version} as locked (its folder differs from the lock file)`);
  }
  for (const name of changes.remove) printLine(`remove ${name} (not in the lock file)`);
}

/**
 * A restore refused because the marketplace no longer vouches for what the lock file records, with
 * what to do about it: the general hint of its code (check the trusted key, do not install a
 * tampered archive) does not fit a lock file written under another key or for other bytes.
 */
function withLockFileHint(error: unknown): unknown {
  if (!PluginError.is(error)) return error;
  const { pluginId, version } = error.details as { pluginId?: string; version?: string };
  if (error.code === 'SIGNATURE_INVALID' && typeof error.details.lockedKeyId === 'string') {
    return createCommandFailure(error.code, error.message, ExitCode.INTEGRITY, {
      cause: error,
      details: error.details,
      hint: `The marketplace's signing key changed since the lock file was written: confirm the new key id with the marketplace's operator, then run "agentplug install ${pluginId}@${version}" to record it in the lock file.`,
    });
  }
  if (error.code === 'INTEGRITY_MISMATCH' && typeof error.details.signedSha256 === 'string') {
    return createCommandFailure(error.code, error.message, ExitCode.INTEGRITY, {
      cause: error,
      details: error.details,
      hint: `The marketplace now serves other bytes for ${pluginId} ${version} than the lock file records (a published version never changes): do not restore from it; ask the marketplace's operator why.`,
    });
  }
  return error;
}

/**
 * Makes the plugin folder match agentplug-lock.json exactly (what `install` with no argument and
 * `ci` do), asking before it replaces or removes a folder unless `--yes`.
 * @throws PluginError INVALID_ARGUMENT (no lock file), DECLINED, SIGNATURE_INVALID (locked under another key), INTEGRITY_MISMATCH, and the registry's restore errors
 */
export async function restoreFromLockFile(
  command: Command,
  options: { yes?: boolean; json?: boolean; action: string },
): Promise<RestoreResult> {
  const result = await withRegistry(command, { marketplace: 'when-needed' }, (registry) =>
    registry
      .installFromLockFile({
        onProgress: createProgressReporter({ quiet: options.json === true }),
        confirm: async (changes) => {
          if (!options.json) describeChanges(changes);
          const count = changes.replace.length + changes.remove.length;
          await confirmOrDecline(`Replace or remove ${count} plugin folder${count === 1 ? '' : 's'}?`, {
            yes: options.yes,
            action: options.action,
          });
          return true;
        },
      })
      .catch((error: unknown) => {
        throw withLockFileHint(error);
      }),
  );
  if (options.json) {
    printJson(result);
    return result;
  }
  for (const { pluginId, version } of result.installed) printLine(`installed ${pluginId}@${version}`);
  for (const { pluginId, version } of result.unchanged) printLine(`up to date ${pluginId}@${version}`);
  for (const name of result.removed) printLine(`removed ${name}`);
  for (const pluginId of result.configCarriedOver) {
    printLine(`kept the values edited into ${pluginId}/config.json in its operator configuration`);
  }
  printLine(
    `the plugin folder matches the lock file (${result.installed.length + result.unchanged.length} plugins)`,
  );
  return result;
}

/** Registers `agentplug ci`. */
export function registerCiCommand(program: Command): void {
  const command = program
    .command('ci')
    .description('make the plugin folder match agentplug-lock.json exactly, verified, or change nothing')
    .option('-y, --yes', 'replace or remove differing plugin folders without asking')
    .option('--json', 'print the result as JSON');
  addRegistryOptions(command, { marketplace: true }).addHelpText(
    'after',
    `
Examples:
  $ agentplug ci --plugins-dir ./plugins
  $ agentplug ci --yes --json

Every plugin the lock file lists is fetched at its locked version (the marketplace must still sign
the locked sha256 and size under the locked key; a local archive or folder must still hash the
same), verified and validated; only then are missing folders created, differing ones replaced and
unlisted ones removed, all at once. Replacing or removing asks first (or --yes). The lock file is
never written. Plugins installed from local files need no marketplace.

Exit codes: 0 matches, 2 no lock file, 5 a locked version is gone, 6 declined, 7 a hash,
signature or archive check failed (nothing changed).`,
  );
  command.action(async (options: { yes?: boolean; json?: boolean }, self: Command) => {
    await restoreFromLockFile(self, { ...options, action: 'restoring from the lock file' });
  });
}
