import type { PluginErrorCode } from '@agentplug/models';

/**
 * Hints that name the command line's own flags and commands, for the codes whose library hint
 * speaks of API options (`approvePermissions`) a person at a terminal cannot pass.
 */
const CLI_HINTS: Partial<Record<PluginErrorCode, string>> = {
  PERMISSIONS_ESCALATED:
    'Review the new permissions (marked +), then run again with --approve-permissions, or answer "y" on a terminal.',
  CONFIG_INVALID:
    'Fix the value with "agentplug config set <id> <key> <value>" (or edit agentplug-config/<id>.json beside the lock file), then run again.',
};

/** The hint to print for a failure with `code`: the command line's own when it has one, else `fallback`. */
export function cliHintFor(code: PluginErrorCode, fallback: string): string {
  return CLI_HINTS[code] ?? fallback;
}
