import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import { type ExtractionLimits, extractArchive } from '../archive/extract-archive';
import { packPlugin } from '../archive/pack-plugin';
import { isRuntimeCompatible } from '../protocol/version-rules';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import type { DownloadRecord } from './download-plugin';
import { hashShippedConfig, planOperatorConfig } from './operator-config';
import { findEscalatedPermissions } from './permissions';
import type { PluginDirectory } from './plugin-directory';
import type { InstallPluginOptions } from './registry-options';
import { digestFolder } from './tree-digest';

/** What {@link installFromPath} needs besides the plugin and its source. */
export interface InstallFromPathContext {
  directory: PluginDirectory;
  validator: PluginValidatorLike;
  runtimeVersion: string | undefined;
  extractionLimits: ExtractionLimits;
  now: () => Date;
  /** What this registry knows of a download it verified, by its absolute path. */
  findDownload: (path: string) => DownloadRecord | undefined;
  /** Where the operator's configuration of a plugin lives. */
  operatorConfigPath: (pluginId: string) => string;
}

/** What the lock file records about why and how a plugin was installed; see LockFileEntry. */
export interface LockDetails {
  /** Default: the previous entry's range, else `^<version>`. */
  range?: string | undefined;
  /** Default: the previous entry's, else true. */
  requested?: boolean | undefined;
}

/** The staged copy of a source, and what is known of it before its plugin.json is read. */
interface StagedSource {
  folder: string;
  sha256: string | undefined;
  size: number | undefined;
  source: string;
  keyId: string | null;
  validated: boolean;
}

/**
 * Puts the plugin to install into a fresh staging folder, which is then checked, validated and
 * swapped in as it is: nothing is read from the source after it was checked. A verified download
 * must still hold exactly the files its archive held.
 */
async function stageSource(
  pluginId: string,
  source: string,
  context: InstallFromPathContext,
  cleanup: string[],
): Promise<StagedSource> {
  const info = await stat(source).catch((error: unknown) => {
    throw new PluginError('INVALID_ARGUMENT', `${source} does not exist`, { cause: error });
  });
  if (info.isFile()) {
    const archive = await readFile(source);
    const folder = await context.directory.createStagingPath(pluginId);
    cleanup.push(folder);
    await extractArchive(archive, folder, context.extractionLimits);
    return {
      folder,
      sha256: createHash('sha256').update(archive).digest('hex'),
      size: archive.length,
      source: `file:${source}`,
      keyId: null,
      validated: false,
    };
  }
  const folder = await context.directory.stage(pluginId, source);
  cleanup.push(folder);
  const record = context.findDownload(source);
  if (record === undefined) {
    return {
      folder,
      sha256: undefined,
      size: undefined,
      source: `file:${source}`,
      keyId: null,
      validated: false,
    };
  }
  const digest = await digestFolder(folder);
  if (digest !== record.treeDigest) {
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `the download of ${record.pluginId} ${record.version} in ${source} changed after it was verified`,
      { details: { pluginId: record.pluginId, version: record.version, path: source } },
    );
  }
  return {
    folder,
    sha256: record.sha256,
    size: record.entry.size,
    source: record.source,
    keyId: record.keyId,
    validated: record.validated,
  };
}

/**
 * Installs a plugin from a folder or a `.tgz` into the plugin directory, under the plugin's lock:
 * copied (or unpacked) into staging first, then checked there (id, runtime bounds, no permission
 * escalation unless approved, the operator's configuration against the new config_schema),
 * validated, swapped in and recorded; the installed plugin.json is read back before success is
 * reported. Values edited into the replaced folder's config.json are carried into the operator's file.
 * @throws PluginError INSTALL_LOCKED, PERMISSIONS_ESCALATED, INCOMPATIBLE, INVALID_ARGUMENT, CONFIG_INVALID, VALIDATION_FAILED, ARCHIVE_UNSAFE, INTEGRITY_MISMATCH, INSTALL_FAILED
 */
export async function installFromPath(
  pluginId: string,
  downloadPath: string,
  options: InstallPluginOptions & {
    lock?: LockDetails;
    /** What the lock file records as the source when `downloadPath` is a staged copy of it. */
    origin?: { source: string; sha256: string; size: number };
  },
  context: InstallFromPathContext,
): Promise<void> {
  const { directory, runtimeVersion } = context;
  await directory.ensureRecovered();
  const release = await directory.lockPlugin(pluginId);
  const cleanup: string[] = [];
  try {
    const source = resolve(downloadPath);
    const fromSource = await stageSource(pluginId, source, context, cleanup);
    const staged = options.origin === undefined ? fromSource : { ...fromSource, ...options.origin };
    const manifest = await readExtractedManifest(staged.folder);
    if (manifest.plugin_id !== pluginId) {
      throw new PluginError('INVALID_ARGUMENT', `${source} holds ${manifest.plugin_id}, not ${pluginId}`, {
        details: { pluginId, found: manifest.plugin_id },
      });
    }
    if (!isRuntimeCompatible(manifest, runtimeVersion)) {
      throw new PluginError(
        'INCOMPATIBLE',
        `${pluginId} ${manifest.version} needs runtime ${manifest.min_runtime_version} to ${manifest.max_runtime_version}; this runtime is ${runtimeVersion}`,
        { details: { pluginId, version: manifest.version, runtimeVersion } },
      );
    }
    const lockFile = await directory.readLockFile();
    const previous = lockFile.plugins[pluginId];
    const approved = options.approvePermissions === true || options.acceptPermissions === true;
    if (previous !== undefined && !approved) {
      const escalated = findEscalatedPermissions(previous.permissions, manifest.permissions);
      if (Object.keys(escalated).length > 0) {
        throw new PluginError(
          'PERMISSIONS_ESCALATED',
          `${pluginId} ${manifest.version} asks for permissions not accepted for ${previous.version}: ${JSON.stringify(escalated)}`,
          { details: { pluginId, version: manifest.version, escalated } },
        );
      }
    }
    if ((options.validate ?? true) && !staged.validated) {
      await validatePluginFolder(context.validator, staged.folder, manifest);
    }
    const operatorConfig = await planOperatorConfig({
      pluginId,
      manifest,
      stagedFolder: staged.folder,
      installedFolder: join(directory.path, pluginId),
      previous,
      operatorConfigPath: context.operatorConfigPath(pluginId),
    });
    const packed = staged.sha256 === undefined ? await packPlugin(staged.folder) : undefined;
    const local = staged.source.startsWith('file:');
    const requested = options.lock?.requested ?? previous?.requested ?? true;
    const range = local
      ? manifest.version
      : (options.lock?.range ?? previous?.range ?? (requested ? `^${manifest.version}` : '*'));
    const configSha256 = await hashShippedConfig(staged.folder);
    await operatorConfig.write();
    await directory.commitInstall(pluginId, staged.folder, {
      version: manifest.version,
      range,
      requested: requested || previous?.requested === true,
      sha256: staged.sha256 ?? (packed as { sha256: string }).sha256,
      size: staged.size ?? (packed as { size: number }).size,
      source: staged.source,
      key_id: staged.keyId,
      config_sha256: configSha256,
      // What this version asks for is what is granted now: a permission it dropped must be approved again.
      permissions: manifest.permissions,
      installed_at: context.now().toISOString(),
    });
    const installed = await directory.readInstalledManifest(pluginId);
    if (installed?.plugin_id !== pluginId || installed.version !== manifest.version) {
      throw new PluginError(
        'INSTALL_FAILED',
        `${join(directory.path, pluginId)} does not hold what was installed`,
        {
          details: { pluginId, version: manifest.version },
        },
      );
    }
  } catch (error) {
    if (PluginError.is(error)) throw error;
    throw new PluginError('INSTALL_FAILED', `cannot install ${pluginId}`, {
      cause: error,
      details: { pluginId },
    });
  } finally {
    for (const path of cleanup) await rm(path, { recursive: true, force: true });
    await release();
  }
}
