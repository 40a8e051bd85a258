import { createHash } from 'node:crypto';
import { readFile, rm, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PluginError, type PluginPermissions, type PluginValidatorLike } from '@agentplug/models';
import { type ExtractionLimits, extractArchive } from '../archive/extract-archive';
import { packPlugin } from '../archive/pack-plugin';
import { isRuntimeCompatible } from '../protocol/version-rules';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import type { DownloadRecord } from './download-plugin';
import { findEscalatedPermissions } from './permissions';
import type { PluginDirectory } from './plugin-directory';
import type { InstallPluginOptions } from './registry-options';

/** What {@link installFromPath} needs besides the plugin and its source. */
export interface InstallFromPathContext {
  directory: PluginDirectory;
  validator: PluginValidatorLike;
  runtimeVersion: string | undefined;
  extractionLimits: ExtractionLimits;
  now: () => Date;
  /** What this registry knows of a download it verified, by its absolute path. */
  findDownload: (path: string) => DownloadRecord | undefined;
}

function mergePermissions(
  previous: PluginPermissions | undefined,
  requested: PluginPermissions,
  approved: boolean,
): PluginPermissions {
  // Without a new approval the request lies within what was accepted before, which stays the record.
  if (previous === undefined || approved) return requested;
  return previous;
}

/**
 * Installs a plugin from a folder or a `.tgz` into the plugin directory, under the plugin's lock:
 * unpacked into staging, checked (id, runtime bounds, no permission escalation unless approved),
 * validated, copied into staging and swapped in.
 * @throws PluginError INSTALL_LOCKED, PERMISSIONS_ESCALATED, INCOMPATIBLE, INVALID_ARGUMENT, VALIDATION_FAILED, ARCHIVE_UNSAFE, INSTALL_FAILED
 */
export async function installFromPath(
  pluginId: string,
  downloadPath: string,
  options: InstallPluginOptions,
  context: InstallFromPathContext,
): Promise<void> {
  const { directory, runtimeVersion } = context;
  await directory.ensureRecovered();
  const release = await directory.lockPlugin(pluginId);
  const cleanup: string[] = [];
  try {
    const source = resolve(downloadPath);
    let record = context.findDownload(source);
    let folder = source;
    const info = await stat(source).catch((error: unknown) => {
      throw new PluginError('INVALID_ARGUMENT', `${source} does not exist`, { cause: error });
    });
    if (info.isFile()) {
      const archive = await readFile(source);
      folder = await directory.createStagingPath(`unpack-${pluginId}`);
      cleanup.push(folder);
      await extractArchive(archive, folder, context.extractionLimits);
      record = {
        pluginId,
        version: '',
        sha256: createHash('sha256').update(archive).digest('hex'),
        source: `file:${source}`,
        validated: false,
      };
    }
    const manifest = await readExtractedManifest(folder);
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
    if ((options.validate ?? true) && record?.validated !== true) {
      await validatePluginFolder(context.validator, folder, manifest);
    }
    if (record === undefined) {
      record = {
        pluginId,
        version: manifest.version,
        sha256: (await packPlugin(folder)).sha256,
        source: `file:${source}`,
        validated: true,
      };
    }
    const staging = await directory.stage(pluginId, folder);
    cleanup.push(staging);
    await directory.commitInstall(pluginId, staging, {
      version: manifest.version,
      sha256: record.sha256,
      source: record.source,
      permissions: mergePermissions(previous?.permissions, manifest.permissions, approved),
      installed_at: context.now().toISOString(),
    });
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
