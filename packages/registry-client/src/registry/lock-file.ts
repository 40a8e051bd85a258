import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isJsonObject, PluginError, type PluginPermissions, parseUntrustedJson } from '@agentplug/models';
import { isValidConstraint } from '@agentplug/version';
import { isProtocolPluginId, isProtocolVersion } from '../protocol/identifiers';
import { writeFileAtomic } from './write-file-atomic';

/** The lock file's name, at the root of the plugin directory. */
export const LOCK_FILE_NAME = 'agentplug-lock.json';

/** The lock file format this client writes; it reads version 1 too (see {@link readLockFileDocument}). */
export const LOCK_FILE_VERSION = 2;

/** What the lock file records for one installed plugin. */
export interface LockFileEntry {
  version: string;
  /**
   * The version range `update` stays inside: what the operator asked for (`^1.2.0`; `^<version>`
   * when they named no range), `*` for a plugin installed only as a dependency (its dependents'
   * constraints bound it), the exact version for a local install.
   */
  range: string;
  /** Whether the operator asked for it (false: installed because another plugin needs it). */
  requested: boolean;
  /** sha256 (hex) of the archive installed; for a folder installed from disk, of its deterministic pack. */
  sha256: string;
  /** Size in bytes of that archive; null for an entry carried over from a version 1 lock file. */
  size: number | null;
  /** Where it came from: the marketplace URL, or `file:<absolute path>` of a local archive or folder. */
  source: string;
  /** Id of the trusted key whose signature on the marketplace index vouched for the archive; null for a local install. */
  key_id: string | null;
  /**
   * sha256 of the config.json the installed version shipped (null: none): a config.json that no longer
   * matches was edited in place, and its values are carried into the operator's file before an update.
   */
  config_sha256: string | null;
  /** The permissions the operator accepted; an update asking for more is refused unless approved. */
  permissions: PluginPermissions;
  /** ISO 8601 time of the install. */
  installed_at: string;
}

/** The lock file document (`agentplug-lock.json`). `plugins` has no prototype: look ids up freely. */
export interface LockFile {
  lockfile_version: typeof LOCK_FILE_VERSION;
  plugins: Record<string, LockFileEntry>;
}

/** A lock file as read, and the format it was written in (1: written before ranges and sizes). */
export interface LockFileDocument {
  lockFile: LockFile;
  formatVersion: 1 | 2;
  /** Whether the file exists. */
  exists: boolean;
}

/** Largest lock file read (a directory of thousands of plugins stays far below). */
const MAX_LOCK_FILE_BYTES = 16 * 1024 * 1024;
const SHA256 = /^[0-9a-f]{64}$/;

function corrupt(pluginDirectory: string, problem: string, cause?: unknown): PluginError {
  return new PluginError(
    'INSTALL_FAILED',
    `${LOCK_FILE_NAME} in ${pluginDirectory} is corrupt (${problem}); fix or delete it`,
    { cause, details: { path: join(pluginDirectory, LOCK_FILE_NAME) } },
  );
}

function readPermissions(value: unknown): PluginPermissions | undefined {
  if (!isJsonObject(value)) return undefined;
  const permissions = Object.create(null) as Record<string, string[]>;
  // As in the escalation check, only list-valued kinds count, compared as text.
  for (const [kind, list] of Object.entries(value)) {
    if (Array.isArray(list)) permissions[kind] = list.map(String);
  }
  return permissions as unknown as PluginPermissions;
}

function readEntry(value: unknown, formatVersion: 1 | 2): LockFileEntry | undefined {
  if (!isJsonObject(value)) return undefined;
  const { version, sha256, source, installed_at: installedAt } = value;
  const permissions = readPermissions(value.permissions);
  if (
    !isProtocolVersion(version) ||
    typeof sha256 !== 'string' ||
    !SHA256.test(sha256) ||
    typeof source !== 'string' ||
    typeof installedAt !== 'string' ||
    permissions === undefined
  ) {
    return undefined;
  }
  if (formatVersion === 1) {
    // Version 1 kept no range: `^<version>` is the narrowest guess that still takes fixes.
    return {
      version,
      range: `^${version}`,
      requested: true,
      sha256,
      size: null,
      source,
      key_id: null,
      config_sha256: null,
      permissions,
      installed_at: installedAt,
    };
  }
  const { range, requested, size, key_id: keyId, config_sha256: configSha256 } = value;
  if (
    typeof range !== 'string' ||
    range.length > 256 ||
    !isValidConstraint(range) ||
    typeof requested !== 'boolean' ||
    !(size === null || (Number.isSafeInteger(size) && (size as number) >= 0)) ||
    !(keyId === null || (typeof keyId === 'string' && keyId.length <= 256)) ||
    !(configSha256 === null || (typeof configSha256 === 'string' && SHA256.test(configSha256)))
  ) {
    return undefined;
  }
  return {
    version,
    range,
    requested,
    sha256,
    size: size as number | null,
    source,
    key_id: keyId as string | null,
    config_sha256: configSha256 as string | null,
    permissions,
    installed_at: installedAt,
  };
}

/** An empty lock file. */
export function createEmptyLockFile(): LockFile {
  return {
    lockfile_version: LOCK_FILE_VERSION,
    plugins: Object.create(null) as Record<string, LockFileEntry>,
  };
}

/**
 * Reads the lock file of a plugin directory and says which format it was in; an empty one when there
 * is none. Every entry is checked (id keys, versions, ranges, hashes, permission lists) so a
 * hand-edited or hostile file cannot name a path. A version 1 file reads as version 2 (range
 * `^<version>`, size and key id unknown) and is written as version 2 by the next change.
 * @throws PluginError INSTALL_FAILED when it exists but cannot be read or is malformed
 */
export async function readLockFileDocument(pluginDirectory: string): Promise<LockFileDocument> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(pluginDirectory, LOCK_FILE_NAME));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return { lockFile: createEmptyLockFile(), formatVersion: LOCK_FILE_VERSION, exists: false };
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
  const formatVersion = isJsonObject(document) ? document.lockfile_version : undefined;
  if (
    !isJsonObject(document) ||
    (formatVersion !== 1 && formatVersion !== 2) ||
    !isJsonObject(document.plugins)
  ) {
    throw corrupt(pluginDirectory, 'unknown lock file format');
  }
  const lockFile = createEmptyLockFile();
  for (const [pluginId, value] of Object.entries(document.plugins)) {
    const entry = readEntry(value, formatVersion);
    if (!isProtocolPluginId(pluginId) || entry === undefined) {
      throw corrupt(pluginDirectory, `the entry ${JSON.stringify(pluginId.slice(0, 200))} is malformed`);
    }
    lockFile.plugins[pluginId] = entry;
  }
  return { lockFile, formatVersion, exists: true };
}

/**
 * Reads the lock file of a plugin directory (see {@link readLockFileDocument}); an empty one when there is none.
 * @throws PluginError INSTALL_FAILED when it exists but cannot be read or is malformed
 */
export async function readLockFile(pluginDirectory: string): Promise<LockFile> {
  return (await readLockFileDocument(pluginDirectory)).lockFile;
}

/** The lock file's text: plugins sorted by id, each entry's keys in one order, so equal files are equal bytes. */
export function serializeLockFile(lockFile: LockFile): string {
  const plugins: Record<string, LockFileEntry> = {};
  for (const pluginId of Object.keys(lockFile.plugins).sort()) {
    const entry = lockFile.plugins[pluginId] as LockFileEntry;
    plugins[pluginId] = {
      version: entry.version,
      range: entry.range,
      requested: entry.requested,
      sha256: entry.sha256,
      size: entry.size,
      source: entry.source,
      key_id: entry.key_id,
      config_sha256: entry.config_sha256,
      permissions: entry.permissions,
      installed_at: entry.installed_at,
    };
  }
  return `${JSON.stringify({ lockfile_version: LOCK_FILE_VERSION, plugins }, null, 2)}\n`;
}

/** Writes the lock file atomically (see {@link serializeLockFile}). */
export async function writeLockFile(pluginDirectory: string, lockFile: LockFile): Promise<void> {
  await writeFileAtomic(join(pluginDirectory, LOCK_FILE_NAME), serializeLockFile(lockFile));
}
