import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginPermissions, parseUntrustedJson } from '@agentplug/models';
import { isProtocolPluginId, isProtocolVersion } from '../protocol/identifiers';
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

/** The lock file document (`agentplug-lock.json`). `plugins` has no prototype: look ids up freely. */
export interface LockFile {
  lockfile_version: 1;
  plugins: Record<string, LockFileEntry>;
}

/** Largest lock file read (a directory of thousands of plugins stays far below). */
const MAX_LOCK_FILE_BYTES = 16 * 1024 * 1024;

function corrupt(pluginDirectory: string, problem: string, cause?: unknown): PluginError {
  return new PluginError(
    'INSTALL_FAILED',
    `${LOCK_FILE_NAME} in ${pluginDirectory} is corrupt (${problem}); fix or delete it`,
    { cause, details: { path: join(pluginDirectory, LOCK_FILE_NAME) } },
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readPermissions(value: unknown): PluginPermissions | undefined {
  if (!isRecord(value)) return undefined;
  const permissions = Object.create(null) as Record<string, string[]>;
  // As in the escalation check, only list-valued kinds count, compared as text.
  for (const [kind, list] of Object.entries(value)) {
    if (Array.isArray(list)) permissions[kind] = list.map(String);
  }
  return permissions as unknown as PluginPermissions;
}

function readEntry(value: unknown): LockFileEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { version, sha256, source, installed_at: installedAt } = value;
  const permissions = readPermissions(value.permissions);
  if (
    !isProtocolVersion(version) ||
    typeof sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(sha256) ||
    typeof source !== 'string' ||
    typeof installedAt !== 'string' ||
    permissions === undefined
  ) {
    return undefined;
  }
  return { version, sha256, source, permissions, installed_at: installedAt };
}

/**
 * Reads the lock file of a plugin directory; an empty one when there is none. Every entry is checked
 * (id keys, versions, hashes, permission lists) so a hand-edited or hostile file cannot name a path.
 * @throws PluginError INSTALL_FAILED when it exists but cannot be read or is malformed
 */
export async function readLockFile(pluginDirectory: string): Promise<LockFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(pluginDirectory, LOCK_FILE_NAME));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { lockfile_version: 1, plugins: Object.create(null) as Record<string, LockFileEntry> };
    }
    throw new PluginError('INSTALL_FAILED', `cannot read ${LOCK_FILE_NAME}`, { cause: error });
  }
  let document: unknown;
  try {
    document = parseUntrustedJson(bytes, {
      code: 'INSTALL_FAILED',
      what: LOCK_FILE_NAME,
      maxBytes: MAX_LOCK_FILE_BYTES,
    });
  } catch (error) {
    throw corrupt(pluginDirectory, 'not JSON within the caps', error);
  }
  if (!isRecord(document) || document.lockfile_version !== 1 || !isRecord(document.plugins)) {
    throw corrupt(pluginDirectory, 'unknown lock file format');
  }
  const plugins = Object.create(null) as Record<string, LockFileEntry>;
  for (const [pluginId, value] of Object.entries(document.plugins)) {
    const entry = readEntry(value);
    if (!isProtocolPluginId(pluginId) || entry === undefined) {
      throw corrupt(pluginDirectory, `the entry ${JSON.stringify(pluginId.slice(0, 200))} is malformed`);
    }
    plugins[pluginId] = entry;
  }
  return { lockfile_version: 1, plugins };
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
