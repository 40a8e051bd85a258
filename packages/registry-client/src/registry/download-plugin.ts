import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import {
  type ArchiveInflater,
  createArchiveInflater,
  type ExtractionLimits,
  writeArchiveFiles,
} from '../archive/extract-archive';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { assertPluginId, assertVersion } from '../protocol/identifiers';
import { ARCHIVES_PATH, formatArchiveName, type IndexVersionEntry } from '../protocol/marketplace-index';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import { findSignedEntryMismatches } from './match-signed-entry';
import { createOwnedSuffix, isLeftByDeadProcess } from './owner-process';
import type { DownloadProgress } from './registry-options';
import { digestFiles } from './tree-digest';

/** What a registry remembers of a verified download, so an install of it is checked against it. */
export interface DownloadRecord {
  pluginId: string;
  version: string;
  sha256: string;
  source: string;
  validated: boolean;
  /** {@link digestFiles} of the verified archive's files: the install compares its staged copy with it. */
  treeDigest: string;
  /** The signed entry it was verified against. */
  entry: IndexVersionEntry;
  /** Id of the trusted key whose signature on the index vouched for the entry. */
  keyId: string | null;
}

/** The downloads folder of a cache directory. */
export function getDownloadsFolder(cacheDirectory: string): string {
  return join(cacheDirectory, 'downloads');
}

/** Removes the `.tmp-*` folders of processes that are gone (a kill during extraction leaves one). */
export async function removeStaleDownloads(downloadsFolder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(downloadsFolder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith('.tmp-') || !isLeftByDeadProcess(name)) continue;
    await rm(join(downloadsFolder, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** What {@link downloadVersion} needs. */
export interface DownloadVersionOptions {
  marketplaceUrl: string;
  /** Id of the trusted key that signed the index the entry came from. */
  keyId: string | null;
  network: NetworkOptions;
  cacheDirectory: string;
  extractionLimits: ExtractionLimits;
  validator: PluginValidatorLike;
  validate: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/**
 * Downloads one signed version into `<cacheDirectory>/downloads/<id>-<version>-<sha256 prefix>`:
 * size capped at the signed size, sha256 checked, inflated while streaming, extracted only after
 * both pass, its plugin.json checked against the signed entry (id, version, permissions,
 * dependencies, runtime bounds), and validated when asked.
 * @throws PluginError INDEX_INVALID, TOO_LARGE, INTEGRITY_MISMATCH, ARCHIVE_UNSAFE, TIMEOUT, NETWORK_ERROR, NOT_FOUND, VALIDATION_FAILED, INSTALL_FAILED
 */
export async function downloadVersion(
  pluginId: string,
  versionEntry: IndexVersionEntry,
  options: DownloadVersionOptions,
): Promise<{ path: string; record: DownloadRecord }> {
  const { extractionLimits } = options;
  const version = versionEntry.version;
  // Both end up in a URL and a folder name: checked here even though the signed index was checked.
  assertPluginId(pluginId, 'INDEX_INVALID', 'the plugin id');
  assertVersion(version, 'INDEX_INVALID', 'the version');
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
  const downloadsFolder = getDownloadsFolder(options.cacheDirectory);
  await mkdir(downloadsFolder, { recursive: true }).catch((error: unknown) => {
    throw new PluginError('INSTALL_FAILED', `cannot create the download cache ${downloadsFolder}`, {
      cause: error,
    });
  });
  await removeStaleDownloads(downloadsFolder);
  const files = await checkedInflater.finish();
  const treeDigest = digestFiles(files);
  // Every download extracts under its own name; only a complete, checked folder is renamed into place.
  const temporary = join(downloadsFolder, `.tmp-${pluginId}-${createOwnedSuffix()}`);
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
    const mismatches = findSignedEntryMismatches(manifest, versionEntry);
    if (mismatches.length > 0) {
      throw new PluginError(
        'INTEGRITY_MISMATCH',
        `the plugin.json in the archive of ${pluginId} ${version} differs from its signed index entry in ${mismatches.join(', ')}: what would install is not what was shown`,
        { details: { pluginId, version, mismatches } },
      );
    }
    if (options.validate) await validatePluginFolder(options.validator, temporary, manifest);
    // Named by content: a concurrent download of the same archive lands on the same name, and a
    // folder once in place is never replaced or removed, so a reader never sees it change.
    const finalPath = join(downloadsFolder, `${pluginId}-${version}-${sha256.slice(0, 16)}`);
    try {
      await rename(temporary, finalPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw error;
      await rm(temporary, { recursive: true, force: true });
    }
    return {
      path: finalPath,
      record: {
        pluginId,
        version,
        sha256,
        source: options.marketplaceUrl,
        validated: options.validate,
        treeDigest,
        entry: versionEntry,
        keyId: options.keyId,
      },
    };
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    if (PluginError.is(error)) throw error;
    throw new PluginError('INSTALL_FAILED', `cannot store ${pluginId} ${version} in the download cache`, {
      cause: error,
    });
  }
}
