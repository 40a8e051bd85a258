import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginPermissions } from '@agentplug/models';
import { writeFileAtomic } from './write-file-atomic';

/** The lock file's name, at the root of the plugin directory. */
export const LOCK_FILE_NAME = 'agentplug-lock.json';

/** What the lock file records for one installed plugin. */
export interface LockFileEntry {
  version: string;
  /** sha256 (hex) of the archive installed; for a folder installed from disk, of its deterministic pack. */
  sha256: string;
  /** Where it came from: the marketplace URL, or `file:<path>`. */
  source: string;
  /** The permissions the user accepted; an update asking for more is refused unless approved. */
  permissions: PluginPermissions;
  /** ISO 8601 time of the install. */
  installed_at: string;
}

/** The lock file document (`agentplug-lock.json`). */
export interface LockFile {
  lockfile_version: 1;
  plugins: Record<string, LockFileEntry>;
}

/**
 * Reads the lock file of a plugin directory; an empty one when there is none.
 * @throws PluginError INSTALL_FAILED when it exists but cannot be parsed
 */
export async function readLockFile(pluginDirectory: string): Promise<LockFile> {
  let text: string;
  try {
    text = await readFile(join(pluginDirectory, LOCK_FILE_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { lockfile_version: 1, plugins: {} };
    throw new PluginError('INSTALL_FAILED', `cannot read ${LOCK_FILE_NAME}`, { cause: error });
  }
  try {
    const parsed = JSON.parse(text) as LockFile;
    if (parsed.lockfile_version !== 1 || typeof parsed.plugins !== 'object' || parsed.plugins === null) {
      throw new Error('unknown lock file format');
    }
    return parsed;
  } catch (error) {
    throw new PluginError(
      'INSTALL_FAILED',
      `${LOCK_FILE_NAME} in ${pluginDirectory} is corrupt; fix or delete it`,
      {
        cause: error,
      },
    );
  }
}

/** Writes the lock file atomically, plugins sorted by id. */
export async function writeLockFile(pluginDirectory: string, lockFile: LockFile): Promise<void> {
  const plugins = Object.fromEntries(
    Object.entries(lockFile.plugins).sort(([left], [right]) => (left < right ? -1 : 1)),
  );
  await writeFileAtomic(
    join(pluginDirectory, LOCK_FILE_NAME),
    `${JSON.stringify({ lockfile_version: 1, plugins }, null, 2)}\n`,
  );
}
