import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

/**
 * Copies the files `pack` would ship (as {@link planPack} lists them) from a plugin folder into a
 * temporary folder, runs `work` on the copy, and removes it. `validate` and `pack` check this copy,
 * so what is checked is exactly what ships: a project's dev dependencies, sources and tests do not
 * count against the plugin, and a file the archive would lack is missing here too.
 */
export async function withShippedCopy<Result>(
  pluginPath: string,
  files: readonly { path: string }[],
  work: (copyPath: string) => Promise<Result>,
): Promise<Result> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-shipped-'));
  const copyPath = join(root, basename(pluginPath));
  try {
    for (const file of files) {
      const target = join(copyPath, file.path);
      await mkdir(dirname(target), { recursive: true });
      await copyFile(join(pluginPath, file.path), target);
    }
    return await work(copyPath);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
