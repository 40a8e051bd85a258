import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  CONFIG_FILE_NAME,
  isJsonObject,
  mergeJsonObjects,
  type OperatorConfigLayer,
  type PluginConfig,
  type PluginConfigOverride,
  PluginError,
  type PluginMetadata,
  parseUntrustedJson,
  readConfig,
  readOperatorConfig,
  resolvePluginConfig,
} from '@agentplug/models';
import type { LockFileEntry } from './lock-file';
import { writeFileAtomic } from './write-file-atomic';

/** sha256 (hex) of a plugin folder's config.json, or null when it has none. */
export async function hashShippedConfig(folder: string): Promise<string | null> {
  try {
    return createHash('sha256')
      .update(await readFile(join(folder, CONFIG_FILE_NAME)))
      .digest('hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new PluginError('INSTALL_FAILED', `cannot read ${join(folder, CONFIG_FILE_NAME)}`, {
      cause: error,
    });
  }
}

/**
 * The config.json of an installed plugin folder when it is no longer what the installed version
 * shipped (its sha256 differs from the lock file's `config_sha256`, or the lock file does not know
 * the plugin): someone edited it in place, and an update must not throw those values away.
 * @throws PluginError CONFIG_INVALID when the edited file is not a JSON object
 */
export async function readEditedConfig(
  installedFolder: string,
  previous: LockFileEntry | undefined,
): Promise<Record<string, unknown> | undefined> {
  const path = join(installedFolder, CONFIG_FILE_NAME);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return undefined;
  }
  if (previous !== undefined && createHash('sha256').update(bytes).digest('hex') === previous.config_sha256) {
    return undefined;
  }
  const document = parseUntrustedJson(bytes, {
    code: 'CONFIG_INVALID',
    what: `${path} (edited in place, so its values are kept)`,
    maxBytes: 1024 * 1024,
  });
  if (!isJsonObject(document)) {
    throw new PluginError(
      'CONFIG_INVALID',
      `${path} was edited in place and is not a JSON object: fix or remove it`,
      {
        details: { path },
      },
    );
  }
  return document;
}

/** What {@link planOperatorConfig} decided for one install. */
export interface OperatorConfigPlan {
  /** The operator's configuration the new version will run with, if any. */
  layer: OperatorConfigLayer | undefined;
  /** Values carried over from a config.json edited in place, to write to the operator's file. */
  carriedOver: boolean;
  /** Writes the operator's file when values were carried over; a no-op otherwise. */
  write(): Promise<void>;
}

/**
 * Checks that the operator's configuration of a plugin (its file, plus any values edited into the
 * installed folder's config.json, which are carried into that file) fits the version about to be
 * installed: config_schema defaults, then its shipped config.json, then the operator's values.
 * @throws PluginError CONFIG_INVALID naming the first value the new version refuses; nothing is written
 */
export async function planOperatorConfig(options: {
  pluginId: string;
  manifest: PluginMetadata;
  /** The folder of the version about to be installed. */
  stagedFolder: string;
  /** The folder of the installed version, which the install replaces. */
  installedFolder: string;
  previous: LockFileEntry | undefined;
  operatorConfigPath: string;
}): Promise<OperatorConfigPlan> {
  const { pluginId, manifest, operatorConfigPath } = options;
  const existing = await readOperatorConfig(operatorConfigPath, pluginId);
  const edited = await readEditedConfig(options.installedFolder, options.previous);
  let layer = existing;
  if (edited !== undefined) {
    // The operator's file wins where both say something; the in-place edits fill the rest.
    const document = mergeJsonObjects(edited, (existing?.document ?? {}) as Record<string, unknown>);
    layer = { path: operatorConfigPath, document: document as PluginConfigOverride };
  }
  if (layer !== undefined) {
    const shipped = await readConfig(options.stagedFolder);
    try {
      resolvePluginConfig({ metadata: manifest, fileConfig: shipped, operatorConfig: layer });
    } catch (error) {
      if (!PluginError.is(error)) throw error;
      throw new PluginError(
        'CONFIG_INVALID',
        `${pluginId} ${manifest.version} was not installed, nothing changed: ${error.message}`,
        {
          cause: error,
          details: { ...error.details, pluginId, version: manifest.version, operatorConfigPath },
        },
      );
    }
  }
  const carriedOver = edited !== undefined;
  return {
    layer,
    carriedOver,
    async write(): Promise<void> {
      if (!carriedOver || layer === undefined) return;
      await mkdir(dirname(operatorConfigPath), { recursive: true });
      await writeFileAtomic(operatorConfigPath, `${JSON.stringify(layer.document, null, 2)}\n`);
    },
  };
}

/**
 * The effective configuration of an installed plugin and where each layer came from, as the loader
 * will resolve it (without a caller's layer).
 * @throws PluginError CONFIG_INVALID, MANIFEST_*
 */
export function resolveInstalledConfig(options: {
  manifest: PluginMetadata;
  shipped: PluginConfig | undefined;
  layer: OperatorConfigLayer | undefined;
}): PluginConfig {
  return resolvePluginConfig({
    metadata: options.manifest,
    fileConfig: options.shipped,
    operatorConfig: options.layer,
  });
}
