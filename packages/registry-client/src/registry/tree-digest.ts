import { createHash } from 'node:crypto';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';

/** Paths compare as UTF-8 bytes, as the packer sorts them. */
function compareBytes(left: string, right: string): number {
  return Buffer.compare(Buffer.from(left, 'utf8'), Buffer.from(right, 'utf8'));
}

/**
 * A sha256 over a set of files (paths sorted, each with its length and content hash): what a
 * verified archive held, compared with what lies on disk before an install reports success.
 */
export function digestFiles(files: readonly { path: string; data: Uint8Array }[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((left, right) => compareBytes(left.path, right.path))) {
    hash.update(`${file.path}\0${file.data.byteLength}\0`);
    hash.update(createHash('sha256').update(file.data).digest());
  }
  return hash.digest('hex');
}

/**
 * {@link digestFiles} of the regular files under a folder.
 * @throws PluginError ARCHIVE_UNSAFE (a link or a special file), INSTALL_FAILED (unreadable)
 */
export async function digestFolder(folder: string): Promise<string> {
  const files: { path: string; data: Buffer }[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.push({ path, data: await readFile(join(folder, path)) });
      else {
        throw new PluginError(
          'ARCHIVE_UNSAFE',
          `${path} is a link or a special file; plugins hold regular files only`,
          {
            details: { path },
          },
        );
      }
    }
  };
  try {
    await lstat(folder);
    await walk('');
  } catch (error) {
    if (PluginError.is(error)) throw error;
    throw new PluginError('INSTALL_FAILED', `cannot read ${folder}`, { cause: error });
  }
  return digestFiles(files);
}
