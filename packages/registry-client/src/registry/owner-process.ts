import { randomBytes } from 'node:crypto';

/** Whether a process with this pid runs (one we may not signal still runs). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A name suffix saying which process made a work folder: `<pid>-<random hex>`. */
export function createOwnedSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

/** The pid in a name ending with {@link createOwnedSuffix}'s suffix, if it has one. */
export function readOwnerPid(name: string): number | undefined {
  const match = /-(\d+)-[0-9a-f]+$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** Whether a work folder named with an owner suffix was left by a process that is gone. */
export function isLeftByDeadProcess(name: string): boolean {
  const pid = readOwnerPid(name);
  return pid !== undefined && pid !== process.pid && !isProcessAlive(pid);
}
