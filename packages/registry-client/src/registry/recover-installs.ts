import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, pathExists, readManifest } from '@agentplug/models';
import { isProtocolPluginId } from '../protocol/identifiers';
import { describeLockEntry, readInstallJournal, removeInstallJournal } from './install-journal';
import { acquireLock, isLockHeld } from './install-lock';
import { LOCK_FILE_NAME, readLockFile, writeLockFile } from './lock-file';
import { isProcessAlive, readOwnerPid } from './owner-process';

/** The folder inside the plugin directory where installs are staged, backed up and locked. */
export const WORK_FOLDER_NAME = '.agentplug';

/** Paths of the work folders of a plugin directory. */
export interface WorkFolders {
  root: string;
  staging: string;
  backup: string;
  trash: string;
  /** One journal per install between its first folder move and its commit (see install-journal). */
  journal: string;
  locks: string;
}

/** The work folders of a plugin directory. */
export function getWorkFolders(pluginDirectory: string): WorkFolders {
  const root = join(pluginDirectory, WORK_FOLDER_NAME);
  return {
    root,
    staging: join(root, 'staging'),
    backup: join(root, 'backup'),
    trash: join(root, 'trash'),
    journal: join(root, 'journal'),
    locks: join(root, 'locks'),
  };
}

/** What {@link recoverInterruptedInstalls} did. */
export interface RecoveryResult {
  /** Plugins put back: a backed-up version, or a folder an interrupted uninstall had moved aside. */
  restored: string[];
  /** Work folders removed. */
  removed: string[];
  /** Lock file entries dropped because their folder is gone for good. */
  forgotten: string[];
}

async function listNames(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

/** Whether a work folder's owner (named in its suffix) may still be using it. */
function isOwnedByLiveProcess(name: string): boolean {
  const pid = readOwnerPid(name);
  return pid !== undefined && (pid === process.pid || isProcessAlive(pid));
}

async function readVersion(folder: string): Promise<string | undefined> {
  try {
    return (await readManifest(folder)).manifest.version;
  } catch {
    return undefined;
  }
}

/** Runs `work` under a plugin's lock, or skips it (false) while a live process holds that lock. */
async function withPluginLock(locks: string, pluginId: string, work: () => Promise<void>): Promise<boolean> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(locks, pluginId);
  } catch (error) {
    if (PluginError.is(error, 'INSTALL_LOCKED')) return false;
    throw error;
  }
  try {
    await work();
    return true;
  } finally {
    await release();
  }
}

/**
 * Finishes or undoes what a killed process left behind, so the folders and the lock file agree. The
 * lock file write is the commit point of installs and uninstalls alike: staging folders of dead
 * processes are removed; an install's journal says whether its lock file write happened, and the
 * previous folder is put back (or the new one removed) when it did not; a folder an uninstall had
 * moved to the trash is put back while the lock file still lists it (else removed); an entry whose
 * folder is gone is dropped only when a dead process's install lock is left beside it (an entry whose
 * folder is simply missing, as on a fresh host, is what `installFromLockFile` restores);
 * half-written lock file copies, half-taken locks and half-written copies of operator configuration
 * files (in `operatorConfigDirectory`) are removed.
 * Folders of live processes, and plugins whose lock a live process holds, are left alone.
 */
export async function recoverInterruptedInstalls(
  pluginDirectory: string,
  options: { operatorConfigDirectory?: string | undefined } = {},
): Promise<RecoveryResult> {
  const folders = getWorkFolders(pluginDirectory);
  const result: RecoveryResult = { restored: [], removed: [], forgotten: [] };
  await removeStaleTemporaryFiles(pluginDirectory, folders, result, options.operatorConfigDirectory);
  for (const name of await listNames(folders.staging)) {
    if (isOwnedByLiveProcess(name)) continue;
    await rm(join(folders.staging, name), { recursive: true, force: true });
    result.removed.push(join(folders.staging, name));
  }
  const trash = await listNames(folders.trash);
  const journals = await listNames(folders.journal);
  const lockFile = await readLockFile(pluginDirectory);
  if (
    trash.length === 0 &&
    journals.length === 0 &&
    (await listNames(folders.backup)).length === 0 &&
    Object.keys(lockFile.plugins).length === 0
  ) {
    return result;
  }
  for (const name of trash) {
    if (isOwnedByLiveProcess(name)) continue;
    const trashPath = join(folders.trash, name);
    const pluginId = name.replace(/-\d+-[0-9a-f]+$/, '');
    const targetPath = join(pluginDirectory, pluginId);
    await withPluginLock(folders.locks, isProtocolPluginId(pluginId) ? pluginId : '_trash', async () => {
      const listed = isProtocolPluginId(pluginId) && lockFile.plugins[pluginId] !== undefined;
      if (listed && !(await pathExists(targetPath)) && (await readVersion(trashPath)) !== undefined) {
        await rename(trashPath, targetPath);
        result.restored.push(pluginId);
      } else {
        await rm(trashPath, { recursive: true, force: true });
        result.removed.push(trashPath);
      }
    });
  }
  for (const name of journals) await finishJournaledInstall(pluginDirectory, folders, name, result);
  // Backups without a journal (left by a version of this code that wrote none): judged by version.
  for (const pluginId of await listNames(folders.backup)) {
    if (await isLockHeld(join(folders.locks, `${pluginId}.lock`))) continue;
    const backupPath = join(folders.backup, pluginId);
    const targetPath = join(pluginDirectory, pluginId);
    await withPluginLock(folders.locks, isProtocolPluginId(pluginId) ? pluginId : '_backup', async () => {
      const installedVersion = await readVersion(targetPath);
      const backupVersion = await readVersion(backupPath);
      const committed =
        installedVersion !== undefined &&
        lockFile.plugins[pluginId]?.version === installedVersion &&
        installedVersion !== backupVersion;
      if (committed || backupVersion === undefined || !isProtocolPluginId(pluginId)) {
        await rm(backupPath, { recursive: true, force: true });
        result.removed.push(backupPath);
        return;
      }
      await rm(targetPath, { recursive: true, force: true });
      await rename(backupPath, targetPath);
      result.restored.push(pluginId);
    });
  }
  await forgetVanishedPlugins(pluginDirectory, folders, result);
  return result;
}

/**
 * Settles one journaled install under the plugin's lock: committed (the lock file no longer records
 * the entry the install replaced) drops the backup; interrupted puts the previous folder back, or
 * removes the new folder when there was none before.
 */
async function finishJournaledInstall(
  pluginDirectory: string,
  folders: WorkFolders,
  name: string,
  result: RecoveryResult,
): Promise<void> {
  const journalPath = join(folders.journal, name);
  const pluginId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
  if (!isProtocolPluginId(pluginId)) {
    const owner = temporaryFileOwner(name);
    if (owner === undefined || (owner !== process.pid && !isProcessAlive(owner))) {
      await rm(journalPath, { force: true });
      result.removed.push(journalPath);
    }
    return;
  }
  if (await isLockHeld(join(folders.locks, `${pluginId}.lock`))) return;
  await withPluginLock(folders.locks, pluginId, async () => {
    const journal = await readInstallJournal(journalPath);
    const targetPath = join(pluginDirectory, pluginId);
    const backupPath = join(folders.backup, pluginId);
    if (journal !== undefined) {
      const recorded = describeLockEntry((await readLockFile(pluginDirectory)).plugins[pluginId]);
      if (recorded !== journal.previousEntry) {
        await rm(backupPath, { recursive: true, force: true });
      } else if (journal.movedPrevious && (await pathExists(backupPath))) {
        await rm(targetPath, { recursive: true, force: true });
        await rename(backupPath, targetPath);
        result.restored.push(pluginId);
      } else if (!journal.movedPrevious) {
        await rm(targetPath, { recursive: true, force: true });
        result.removed.push(targetPath);
      }
    }
    await removeInstallJournal(journalPath);
    result.removed.push(journalPath);
  });
}

/** The pid in the name of a temporary file: `<file>.<pid>.<hex>.tmp` (an atomic write) or `<name>.lock.<pid>.<hex>` (a lock being taken). */
function temporaryFileOwner(name: string): number | undefined {
  const match = /\.(\d+)\.[0-9a-f]+(?:\.tmp)?$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/**
 * Removes the half-written lock file and operator configuration copies and the half-taken locks of
 * processes that are gone (a kill during an atomic write leaves its temporary file).
 */
async function removeStaleTemporaryFiles(
  pluginDirectory: string,
  folders: WorkFolders,
  result: RecoveryResult,
  operatorConfigDirectory: string | undefined,
): Promise<void> {
  const candidates = [
    ...(await listNames(pluginDirectory))
      .filter((name) => name.startsWith(`${LOCK_FILE_NAME}.`) && name.endsWith('.tmp'))
      .map((name) => join(pluginDirectory, name)),
    ...(operatorConfigDirectory === undefined ? [] : await listNames(operatorConfigDirectory))
      .filter((name) => /\.json\.\d+\.[0-9a-f]+\.tmp$/.test(name))
      .map((name) => join(operatorConfigDirectory as string, name)),
    ...(await listNames(folders.locks))
      .filter((name) => /\.lock\.\d+\.[0-9a-f]+$/.test(name))
      .map((name) => join(folders.locks, name)),
  ];
  for (const path of candidates) {
    const pid = temporaryFileOwner(path);
    if (pid === undefined || pid === process.pid || isProcessAlive(pid)) continue;
    await rm(path, { force: true });
    result.removed.push(path);
  }
}

/**
 * Drops lock file entries whose folder is gone because an install was killed between recording the
 * entry and moving the folder in: the plugin's install lock is still there, left by a dead process.
 * An entry whose folder is simply missing (a lock file copied to a fresh host, a folder deleted by
 * hand) stays: the lock file says what should be installed, and `installFromLockFile` restores it.
 */
async function forgetVanishedPlugins(
  pluginDirectory: string,
  folders: WorkFolders,
  result: RecoveryResult,
): Promise<void> {
  const listed = Object.keys((await readLockFile(pluginDirectory)).plugins);
  const vanished: string[] = [];
  for (const pluginId of listed) {
    if (await pathExists(join(pluginDirectory, pluginId))) continue;
    const lockPath = join(folders.locks, `${pluginId}.lock`);
    if (!(await pathExists(lockPath)) || (await isLockHeld(lockPath))) continue;
    vanished.push(pluginId);
  }
  if (vanished.length === 0) return;
  const release = await acquireLock(folders.locks, '_lockfile', { waitMs: 10_000 });
  try {
    const lockFile = await readLockFile(pluginDirectory);
    for (const pluginId of vanished) {
      if (lockFile.plugins[pluginId] === undefined || (await pathExists(join(pluginDirectory, pluginId))))
        continue;
      delete lockFile.plugins[pluginId];
      result.forgotten.push(pluginId);
    }
    if (result.forgotten.length > 0) await writeLockFile(pluginDirectory, lockFile);
  } finally {
    await release();
  }
}
