import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Leaves out the registry's own work folder, which changes with every command. */
export function isRegistryWorkFile(path: string): boolean {
  return path.startsWith('.agentplug');
}

/**
 * Every file under a folder with its bytes (base64), keyed by its path inside the folder: what a
 * test compares to prove a command changed nothing, or reproduced a tree byte for byte.
 */
export async function snapshotFolder(
  folder: string,
  leaveOut: (path: string) => boolean = () => false,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name).slice(folder.length + 1);
    if (!leaveOut(path)) files[path] = (await readFile(join(folder, path))).toString('base64');
  }
  return files;
}
