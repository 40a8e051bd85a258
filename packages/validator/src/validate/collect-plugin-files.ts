import type { Dirent } from 'node:fs';
import { lstat, readdir, readlink, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { isPathInside } from '@agentplug/models';

/** One entry of a plugin folder. */
export interface PluginFileEntry {
  /** Path relative to the plugin folder, with forward slashes. */
  relativePath: string;
  absolutePath: string;
  kind: 'file' | 'link' | 'other';
  size: number;
  /** Inode, size and change times: when this is unchanged, so is the content (as git assumes). */
  changeKey: string;
  /** For links: where the link points, and whether that stays inside the folder. */
  linkTarget?: string;
  linkInside?: boolean;
  /** For links inside the folder: the real path they resolve to, relative to the folder with `/`. */
  linkResolved?: string;
}

/** The files of a plugin folder, and whether the walk stopped at the file limit. */
export interface CollectedFiles {
  entries: PluginFileEntry[];
  truncated: boolean;
}

/** Folders never walked: version control metadata. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['.git', '.hg', '.svn']);

/**
 * Lists every entry of a plugin folder (without following links), in sorted order, stopping
 * after `maxFiles + 1` entries so a huge folder cannot stall validation.
 */
export async function collectPluginFiles(root: string, maxFiles: number): Promise<CollectedFiles> {
  const entries: PluginFileEntry[] = [];
  const realRoot = await realpath(root);
  const pending: string[] = [''];
  while (pending.length > 0) {
    const folder = pending.shift()!;
    let children: Dirent[];
    try {
      children = await readdir(join(root, folder), { withFileTypes: true });
    } catch {
      continue;
    }
    children.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    const files: Dirent[] = [];
    for (const child of children) {
      const relativePath = folder ? `${folder}/${child.name}` : child.name;
      if (child.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(child.name)) pending.push(relativePath);
      } else {
        files.push(child);
      }
    }
    const described = await Promise.all(
      files.map((child) =>
        describeEntry(root, realRoot, folder ? `${folder}/${child.name}` : child.name, child),
      ),
    );
    for (const entry of described) {
      entries.push(entry);
      if (entries.length > maxFiles) return { entries, truncated: true };
    }
  }
  return { entries, truncated: false };
}

async function describeEntry(
  root: string,
  realRoot: string,
  relativePath: string,
  dirent: Dirent,
): Promise<PluginFileEntry> {
  const absolutePath = join(root, relativePath);
  if (dirent.isSymbolicLink()) {
    const linkTarget = await readlink(absolutePath).catch(() => '');
    let resolvedTarget: string;
    let exists = true;
    try {
      resolvedTarget = await realpath(absolutePath);
    } catch {
      exists = false;
      resolvedTarget = resolve(join(root, relativePath, '..'), linkTarget);
    }
    const linkInside = isPathInside(realRoot, resolvedTarget);
    const entry: PluginFileEntry = {
      relativePath,
      absolutePath,
      kind: 'link',
      size: 0,
      changeKey: '',
      linkTarget,
      linkInside,
    };
    if (linkInside && exists) entry.linkResolved = relative(realRoot, resolvedTarget).split(sep).join('/');
    return entry;
  }
  if (!dirent.isFile()) return { relativePath, absolutePath, kind: 'other', size: 0, changeKey: '' };
  const info = await lstat(absolutePath, { bigint: true });
  return {
    relativePath,
    absolutePath,
    kind: 'file',
    size: Number(info.size),
    changeKey: `${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`,
  };
}
