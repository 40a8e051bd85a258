import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A cheap fingerprint of a plugin folder's files (relative path, size, modification time), so a
 * validation result can be reused until a file changes. Skips node_modules and dot folders.
 */
export async function fingerprintFolder(folder: string): Promise<string> {
  const parts: string[] = [];
  const visit = async (directory: string, prefix: string): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    await Promise.all(
      entries.map(async (entry) => {
        const path = join(directory, entry.name);
        const relativePath = `${prefix}${entry.name}`;
        if (entry.isDirectory()) {
          if (entry.name === 'node_modules' || entry.name.startsWith('.')) return;
          await visit(path, `${relativePath}/`);
          return;
        }
        const info = await stat(path);
        parts.push(`${relativePath}:${info.size}:${info.mtimeMs}`);
      }),
    );
  };
  await visit(folder, '');
  return parts.sort().join('\n');
}
