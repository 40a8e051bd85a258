import { resolve } from 'node:path';
import { PluginError } from '@agentplug/models';
import type { PluginRegistry } from '@agentplug/registry-client';
import type { Command } from 'commander';
import { readCliConfig, resolveMarketplaceUrl } from './settings';

/** Whether a command needs the marketplace: always, never, or only when one is configured. */
export type MarketplaceNeed = boolean | 'when-needed';

/** Options of the commands that read or change installed plugins. */
export interface RegistryCommandOptions {
  pluginsDir?: string;
  trustedKey?: string[];
  timeout?: string;
}

/** Adds `--plugins-dir` (and, for marketplace commands, `--trusted-key`) to a command. */
export function addRegistryOptions(command: Command, options: { marketplace: boolean }): Command {
  command.option(
    '--plugins-dir <dir>',
    'where plugins are installed (else AGENTPLUG_PLUGINS_DIR, the config file, or ./plugins)',
  );
  if (options.marketplace) {
    command.option(
      '--trusted-key <publicKey...>',
      "marketplace public key(s) to trust (else AGENTPLUG_TRUSTED_KEYS, comma-separated, or the config file's trustedKeys)",
    );
    command.option(
      '--timeout <seconds>',
      'most seconds one marketplace request may take, however slowly it trickles in (default 300)',
    );
  }
  return command;
}

/**
 * Milliseconds of `--timeout <seconds>`, or undefined for the registry's default.
 * @throws PluginError INVALID_ARGUMENT when it is not a positive number of seconds
 */
function readTimeout(seconds: string | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  const value = Number(seconds);
  if (!Number.isFinite(value) || value <= 0 || value > 86_400) {
    throw new PluginError('INVALID_ARGUMENT', '--timeout must be a number of seconds from 0 to 86400');
  }
  return Math.round(value * 1000);
}

/**
 * Opens a PluginRegistry for a command: plugin folder, marketplace URL and trusted keys from
 * flags, environment or config file, with the real validator.
 * @throws PluginError INVALID_ARGUMENT when a marketplace is needed but no URL or key is configured
 */
export async function openRegistry(
  command: Command,
  options: { marketplace: MarketplaceNeed },
): Promise<PluginRegistry> {
  const flags = command.optsWithGlobals<RegistryCommandOptions & { marketplace?: string; config?: string }>();
  const config = await readCliConfig(flags);
  const pluginDirectory = resolve(
    flags.pluginsDir ?? process.env.AGENTPLUG_PLUGINS_DIR ?? config.pluginsDirectory ?? 'plugins',
  );
  const [{ PluginRegistry }, { PluginValidator }] = await Promise.all([
    import('@agentplug/registry-client'),
    import('@agentplug/validator'),
  ]);
  const validator = new PluginValidator();
  if (!options.marketplace) return new PluginRegistry({ pluginDirectory, validator });
  const configured = Boolean(flags.marketplace || process.env.AGENTPLUG_MARKETPLACE || config.marketplace);
  // A restore of local installs needs no marketplace; one that needs it fails with MARKETPLACE_DISABLED.
  if (options.marketplace === 'when-needed' && !configured)
    return new PluginRegistry({ pluginDirectory, validator });
  const marketplaceUrl = await resolveMarketplaceUrl(flags);
  const trustedKeys =
    flags.trustedKey ??
    (process.env.AGENTPLUG_TRUSTED_KEYS
      ? process.env.AGENTPLUG_TRUSTED_KEYS.split(',')
          .map((key) => key.trim())
          .filter(Boolean)
      : (config.trustedKeys ?? []));
  if (trustedKeys.length === 0) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      'no trusted marketplace key: pass --trusted-key, set AGENTPLUG_TRUSTED_KEYS, or add "trustedKeys" to the config file (agentplug marketplace serve prints the key)',
    );
  }
  return new PluginRegistry({
    pluginDirectory,
    validator,
    marketplaceUrl,
    trustedKeys,
    retries: 1,
    totalTimeoutMs: readTimeout(flags.timeout),
  });
}

/** Runs `work` with a registry and closes the registry afterwards. */
export async function withRegistry<Result>(
  command: Command,
  options: { marketplace: MarketplaceNeed },
  work: (registry: PluginRegistry) => Promise<Result>,
): Promise<Result> {
  const registry = await openRegistry(command, options);
  try {
    return await work(registry);
  } finally {
    await registry.close();
  }
}
