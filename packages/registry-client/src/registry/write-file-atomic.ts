import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

/**
 * Writes a file so readers see the old or the new content, never a half: temp file, fsync, rename.
 * `sync: false` skips the fsync, for caches whose every read is checked (a crash may leave the old
 * content, or on some file systems an empty file, which the reader must tell and fetch again).
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  options: { sync?: boolean } = {},
): Promise<void> {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temporary, 'wx');
    try {
      await handle.writeFile(content);
      if (options.sync ?? true) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
