import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, sep } from 'node:path';

/** Folders that never ship in an archive (`pack` leaves them out too). */
const UNSHIPPED_NAMES: ReadonlySet<string> = new Set(['node_modules', '.git']);

/**
 * Copies what `pack` would ship from a plugin folder (everything but node_modules, .git and
 * archives) into a temporary folder, runs `work` on it, and removes it. `validate` checks this
 * copy, so a project's installed dependencies do not count against the plugin.
 */
export async function withShippedCopy<Result>(
  pluginPath: string,
  work: (copyPath: string) => Promise<Result>,
): Promise<Result> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-validate-'));
  const copyPath = join(root, basename(pluginPath));
  try {
    await cp(pluginPath, copyPath, {
      recursive: true,
      verbatimSymlinks: true,
      filter: (source) => {
        const path = relative(pluginPath, source);
        if (path === '') return true;
        return !path.split(sep).some((segment) => UNSHIPPED_NAMES.has(segment)) && !path.endsWith('.tgz');
      },
    });
    return await work(copyPath);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
