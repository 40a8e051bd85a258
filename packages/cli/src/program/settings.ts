import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { getUserDirectories, PluginError, parseUntrustedJson } from '@agentplug/models';

/** What the agentplug config file may hold (JSON). Flags and environment variables win over it. */
export interface CliConfigFile {
  /** Marketplace URL. */
  marketplace?: string;
  /** Where plugins are installed (default `./plugins`). */
  pluginsDirectory?: string;
  /** Publish token of the marketplace. */
  token?: string;
  /** Public keys (base64 SPKI or PEM) whose index signatures are trusted. */
  trustedKeys?: string[];
  /** Highest security risk `validate` and `install` accept: low, medium, high or critical. */
  riskThreshold?: string;
}

/** The global options every command has. */
export interface GlobalOptions {
  marketplace?: string;
  config?: string;
  verbose?: boolean;
}

/** Where the config file is read from: `--config`, `AGENTPLUG_CONFIG`, or `config.json` in the per-OS config folder (models' `getUserDirectories`; on Linux `$XDG_CONFIG_HOME/agentplug`). */
export function resolveConfigPath(options: GlobalOptions): string {
  if (options.config) return resolve(options.config);
  if (process.env.AGENTPLUG_CONFIG) return resolve(process.env.AGENTPLUG_CONFIG);
  return join(getUserDirectories().config, 'config.json');
}

/**
 * Reads the config file; a missing file is an empty config, an unreadable one an error.
 * @throws PluginError INVALID_ARGUMENT when the file is not a JSON object
 */
export async function readCliConfig(options: GlobalOptions): Promise<CliConfigFile> {
  const path = resolveConfigPath(options);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !options.config) return {};
    throw new PluginError('INVALID_ARGUMENT', `config file ${path} cannot be read`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseUntrustedJson(text, {
      code: 'INVALID_ARGUMENT',
      what: `config file ${path}`,
      maxBytes: 1024 * 1024,
    });
  } catch (error) {
    if (!PluginError.is(error)) throw error;
    throw new PluginError('INVALID_ARGUMENT', `config file ${path} is not valid JSON: ${error.message}`, {
      cause: error,
    });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new PluginError('INVALID_ARGUMENT', `config file ${path} must hold a JSON object`);
  }
  return readConfigFields(parsed as Record<string, unknown>, path);
}

/** The known settings of a parsed config file, each checked for its type; other keys are ignored. */
function readConfigFields(document: Record<string, unknown>, path: string): CliConfigFile {
  const config: CliConfigFile = {};
  const wrong = (key: string, expected: string): PluginError =>
    new PluginError('INVALID_ARGUMENT', `"${key}" in config file ${path} must be ${expected}`);
  for (const key of ['marketplace', 'pluginsDirectory', 'token', 'riskThreshold'] as const) {
    const value = document[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw wrong(key, 'a string');
    config[key] = value;
  }
  const keys = document.trustedKeys;
  if (keys !== undefined) {
    if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
      throw wrong('trustedKeys', 'an array of strings');
    }
    config.trustedKeys = [...keys];
  }
  return config;
}

/**
 * The marketplace URL: `--marketplace`, then `AGENTPLUG_MARKETPLACE`, then the config file.
 * @throws PluginError INVALID_ARGUMENT when none is set or it is not an http(s) URL
 */
export async function resolveMarketplaceUrl(options: GlobalOptions): Promise<string> {
  const fromFile =
    options.marketplace || process.env.AGENTPLUG_MARKETPLACE ? undefined : await readCliConfig(options);
  const url = options.marketplace || process.env.AGENTPLUG_MARKETPLACE || fromFile?.marketplace;
  if (!url) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      'no marketplace URL: pass --marketplace <url>, set AGENTPLUG_MARKETPLACE, or add "marketplace" to the config file',
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `marketplace URL "${url}" is not a valid URL`, {
      cause: error,
    });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PluginError('INVALID_ARGUMENT', `marketplace URL "${url}" must use http or https`);
  }
  return url;
}
