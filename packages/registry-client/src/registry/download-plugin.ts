import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import {
  type ArchiveInflater,
  createArchiveInflater,
  type ExtractionLimits,
  writeArchiveFiles,
} from '../archive/extract-archive';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { ARCHIVES_PATH, formatArchiveName, type IndexVersionEntry } from '../protocol/marketplace-index';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import type { DownloadProgress } from './registry-options';

/** What a registry remembers of a verified download, so an install of it is not validated twice. */
export interface DownloadRecord {
  pluginId: string;
  version: string;
  sha256: string;
  source: string;
  validated: boolean;
}

/** What {@link downloadVersion} needs. */
export interface DownloadVersionOptions {
  marketplaceUrl: string;
  network: NetworkOptions;
  cacheDirectory: string;
  extractionLimits: ExtractionLimits;
  validator: PluginValidatorLike;
  validate: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Downloads one signed version into `<cacheDirectory>/downloads/<id>-<version>`: size capped at the
 * signed size, sha256 checked, inflated while streaming, extracted only after both pass, its
 * plugin.json checked against the id and version, and validated when asked.
 * @throws PluginError TOO_LARGE, INTEGRITY_MISMATCH, ARCHIVE_UNSAFE, TIMEOUT, NETWORK_ERROR, NOT_FOUND, VALIDATION_FAILED, INSTALL_FAILED
 */
export async function downloadVersion(
  pluginId: string,
  versionEntry: IndexVersionEntry,
  options: DownloadVersionOptions,
): Promise<{ path: string; record: DownloadRecord }> {
  const { extractionLimits } = options;
  const version = versionEntry.version;
  const archiveUrl = new URL(
    `${ARCHIVES_PATH}/${formatArchiveName(pluginId, version)}`,
    options.marketplaceUrl,
  ).toString();
  let hash = createHash('sha256');
  // Inflating overlaps the download; nothing inflated is parsed or written before size and hash pass.
  let inflater: ArchiveInflater | undefined;
  let archive: Buffer;
  try {
    archive = await fetchBytes(archiveUrl, options.network, {
      maxBytes: versionEntry.size,
      onAttempt: () => {
        hash = createHash('sha256');
        inflater?.abort();
        inflater = createArchiveInflater(versionEntry.size, extractionLimits);
      },
      onChunk: (chunk, receivedBytes) => {
        hash.update(chunk);
        inflater?.write(chunk);
        options.onProgress?.({ pluginId, version, receivedBytes, totalBytes: versionEntry.size });
      },
    });
  } catch (error) {
    inflater?.abort();
    throw error;
  }
  const checkedInflater = inflater ?? createArchiveInflater(versionEntry.size, extractionLimits);
  if (archive.length !== versionEntry.size) {
    checkedInflater.abort();
    throw new PluginError(
      'INTEGRITY_MISMATCH',
      `${archiveUrl} is ${archive.length} bytes; the signed index says ${versionEntry.size}`,
      { details: { pluginId, version, size: archive.length, expectedSize: versionEntry.size } },
    );
  }
  const sha256 = hash.digest('hex');
  if (sha256 !== versionEntry.sha256) {
    checkedInflater.abort();
    throw new PluginError('INTEGRITY_MISMATCH', `${archiveUrl} does not match its signed sha256`, {
      details: { pluginId, version, sha256, expectedSha256: versionEntry.sha256 },
    });
  }
  const downloadsFolder = join(options.cacheDirectory, 'downloads');
  await mkdir(downloadsFolder, { recursive: true }).catch((error: unknown) => {
    throw new PluginError('INSTALL_FAILED', `cannot create the download cache ${downloadsFolder}`, {
      cause: error,
    });
  });
  const files = await checkedInflater.finish();
  const temporary = join(
    downloadsFolder,
    `.tmp-${pluginId}-${process.pid}-${randomBytes(6).toString('hex')}`,
  );
  try {
    await writeArchiveFiles(files, temporary);
    const manifest = await readExtractedManifest(temporary);
    if (manifest.plugin_id !== pluginId || manifest.version !== version) {
      throw new PluginError(
        'INTEGRITY_MISMATCH',
        `the archive for ${pluginId} ${version} holds ${manifest.plugin_id} ${manifest.version}`,
        {
          details: {
            pluginId,
            version,
            archivePluginId: manifest.plugin_id,
            archiveVersion: manifest.version,
          },
        },
      );
    }
    if (options.validate) await validatePluginFolder(options.validator, temporary, manifest);
    const finalPath = join(downloadsFolder, `${pluginId}-${version}`);
    await rm(finalPath, { recursive: true, force: true });
    await rename(temporary, finalPath);
    return {
      path: finalPath,
      record: { pluginId, version, sha256, source: options.marketplaceUrl, validated: options.validate },
    };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (PluginError.is(error)) throw error;
    throw new PluginError('INSTALL_FAILED', `cannot store ${pluginId} ${version} in the download cache`, {
      cause: error,
    });
  }
}
