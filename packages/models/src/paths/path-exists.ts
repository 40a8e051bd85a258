import { lstat, stat } from 'node:fs/promises';

/**
 * Whether something is at `path`. By default a symbolic link counts itself, whether or not its
 * target exists (what a folder walk or a rename sees); with `followLinks`, the link's target must
 * exist (what a reader of the file sees).
 */
export async function pathExists(path: string, options: { followLinks?: boolean } = {}): Promise<boolean> {
  try {
    await (options.followLinks ? stat(path) : lstat(path));
    return true;
  } catch {
    return false;
  }
}
