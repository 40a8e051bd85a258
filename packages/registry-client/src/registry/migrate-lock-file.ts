import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONFIG_FILE_NAME, readOperatorConfig } from '@agentplug/models';
import { getDownloadsFolder } from './download-plugin';
import { acquireLock } from './install-lock';
import { readLockFileDocument, writeLockFile } from './lock-file';
import type { WorkFolders } from './recover-installs';
import { writeFileAtomic } from './write-file-atomic';

/** What {@link migrateLegacyLockFile} needs. */
export interface MigrateLockFileOptions {
  pluginDirectory: string;
  folders: WorkFolders;
  /** Where downloads were kept: an installed version's own config.json may still be there. */
  cacheDirectory: string | undefined;
  operatorConfigPath(pluginId: string): string;
}

async function readBytes(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch {
    return undefined;
  }
}

/**
 * Brings a plugin directory written by an older client up to date, once: with a version 1 lock file
 * (no ranges, sizes, key ids, nor the sha256 of each shipped config.json), each installed plugin's
 * config.json may hold the operator's edits. It is copied to the operator's file (unless one exists,
 * or the download cache shows it is exactly what the version shipped), and the lock file is written
 * as version 2 recording the file as it is, so the next update keeps those values. Returns the ids
 * whose config.json was copied.
 * @throws PluginError INSTALL_FAILED
 */
export async function migrateLegacyLockFile(options: MigrateLockFileOptions): Promise<string[]> {
  const first = await readLockFileDocument(options.pluginDirectory);
  // A version 1 file with no plugins has nothing to carry over: it is rewritten by the next install.
  if (!first.exists || first.formatVersion !== 1 || Object.keys(first.lockFile.plugins).length === 0)
    return [];
  const release = await acquireLock(options.folders.locks, '_lockfile', { waitMs: 10_000 });
  const migrated: string[] = [];
  try {
    const { lockFile, formatVersion } = await readLockFileDocument(options.pluginDirectory);
    if (formatVersion !== 1) return [];
    for (const [pluginId, entry] of Object.entries(lockFile.plugins)) {
      const installed = await readBytes(join(options.pluginDirectory, pluginId, CONFIG_FILE_NAME));
      if (installed === undefined) continue;
      entry.config_sha256 = createHash('sha256').update(installed).digest('hex');
      const shipped =
        options.cacheDirectory === undefined
          ? undefined
          : await readBytes(
              join(
                getDownloadsFolder(options.cacheDirectory),
                `${pluginId}-${entry.version}-${entry.sha256.slice(0, 16)}`,
                CONFIG_FILE_NAME,
              ),
            );
      if (shipped?.equals(installed)) continue;
      const target = options.operatorConfigPath(pluginId);
      if ((await readOperatorConfig(target, pluginId).catch(() => 'unreadable')) !== undefined) continue;
      await mkdir(dirname(target), { recursive: true });
      await writeFileAtomic(target, installed);
      migrated.push(pluginId);
    }
    await writeLockFile(options.pluginDirectory, lockFile);
  } finally {
    await release();
  }
  return migrated;
}
