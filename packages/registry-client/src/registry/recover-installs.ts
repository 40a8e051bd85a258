import { readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { readManifest } from '@agentplug/models';
import { isLockHeld } from './install-lock';
import { readLockFile } from './lock-file';

/** The folder inside the plugin directory where installs are staged, backed up and locked. */
export const WORK_FOLDER_NAME = '.agentplug';

/** Paths of the work folders of a plugin directory. */
export interface WorkFolders {
  root: string;
  staging: string;
  backup: string;
  trash: string;
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
    locks: join(root, 'locks'),
  };
}

async function listNames(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

function ownerPid(name: string): number | undefined {
  const match = /-(\d+)-[0-9a-f]+$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Finishes or undoes installs a killed process left behind: staging and trash folders of dead
 * processes are removed; a backed-up previous version is restored unless the lock file already
 * records the new one (the lock file write is the commit point of an install).
 */
export async function recoverInterruptedInstalls(
  pluginDirectory: string,
): Promise<{ restored: string[]; removed: string[] }> {
  const folders = getWorkFolders(pluginDirectory);
  const removed: string[] = [];
  const restored: string[] = [];
  for (const folder of [folders.staging, folders.trash]) {
    for (const name of await listNames(folder)) {
      const pid = ownerPid(name);
      if (pid !== undefined && pid !== process.pid && isAlive(pid)) continue;
      if (pid === process.pid) continue;
      await rm(join(folder, name), { recursive: true, force: true });
      removed.push(join(folder, name));
    }
  }
  const backups = await listNames(folders.backup);
  if (backups.length === 0) return { restored, removed };
  const lockFile = await readLockFile(pluginDirectory);
  for (const pluginId of backups) {
    if (await isLockHeld(join(folders.locks, `${pluginId}.lock`))) continue;
    const backupPath = join(folders.backup, pluginId);
    const targetPath = join(pluginDirectory, pluginId);
    let installedVersion: string | undefined;
    try {
      installedVersion = (await readManifest(targetPath)).manifest.version;
    } catch {
      installedVersion = undefined;
    }
    let backupVersion: string | undefined;
    try {
      backupVersion = (await readManifest(backupPath)).manifest.version;
    } catch {
      backupVersion = undefined;
    }
    const committed =
      installedVersion !== undefined &&
      lockFile.plugins[pluginId]?.version === installedVersion &&
      installedVersion !== backupVersion;
    if (committed || backupVersion === undefined) {
      await rm(backupPath, { recursive: true, force: true });
      removed.push(backupPath);
      continue;
    }
    await rm(targetPath, { recursive: true, force: true });
    await rename(backupPath, targetPath);
    restored.push(pluginId);
  }
  return { restored, removed };
}
