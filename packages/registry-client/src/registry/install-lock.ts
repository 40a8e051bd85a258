import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { isProcessAlive } from './owner-process';

/** Reads the pid in a lock file and says whether that process still runs. */
export async function isLockHeld(lockPath: string): Promise<boolean> {
  try {
    const pid = Number.parseInt(await readFile(lockPath, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid);
  } catch {
    return false;
  }
}

/**
 * Takes an exclusive lock file (linked into place, holding our pid). A lock left by a process that
 * no longer runs is taken over. Resolves to a release function.
 * @throws PluginError INSTALL_LOCKED when a live process (this one included) holds it past `waitMs`
 */
export async function acquireLock(
  lockDirectory: string,
  name: string,
  options: { waitMs?: number } = {},
): Promise<() => Promise<void>> {
  await mkdir(lockDirectory, { recursive: true });
  const lockPath = join(lockDirectory, `${name}.lock`);
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    try {
      // Written aside then linked into place, so the lock never exists without its pid.
      const temporary = `${lockPath}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(temporary, String(process.pid), { flag: 'wx' });
      try {
        await link(temporary, lockPath);
      } finally {
        await rm(temporary, { force: true });
      }
      return async () => {
        await rm(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new PluginError('INSTALL_FAILED', `cannot create the lock ${lockPath}`, { cause: error });
      }
    }
    if (!(await isLockHeld(lockPath))) {
      // Stale: its process is gone. Removing and retrying keeps link() as the arbiter between racers.
      await rm(lockPath, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      throw new PluginError('INSTALL_LOCKED', `another install holds ${lockPath}`, { details: { lockPath } });
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
