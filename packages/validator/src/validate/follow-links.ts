import type { CollectedFiles } from './collect-plugin-files';

/** How many links a path may pass through before it counts as not found (a loop). */
const MAX_LINK_HOPS = 40;

/**
 * The real path, relative to the folder, that `candidate` names once every link on the way is
 * followed (the links inside the folder; the others are errors of their own); empty for a loop.
 */
export function followLinks(candidate: string, links: ReadonlyMap<string, string>): string {
  let path = candidate;
  for (let hop = 0; hop < MAX_LINK_HOPS; hop++) {
    const segments = path.split('/');
    let replaced = false;
    for (let end = segments.length; end > 0; end--) {
      const target = links.get(segments.slice(0, end).join('/'));
      if (target === undefined) continue;
      path = [target, ...segments.slice(end)].filter((segment) => segment !== '').join('/');
      replaced = true;
      break;
    }
    if (!replaced) return path;
  }
  return '';
}

/** The folder's files and its links that resolve inside it (link path to target), by relative path. */
export function indexFilesAndLinks(collected: CollectedFiles): {
  files: Set<string>;
  links: Map<string, string>;
} {
  const files = new Set<string>();
  const links = new Map<string, string>();
  for (const entry of collected.entries) {
    if (entry.kind === 'file') files.add(entry.relativePath);
    else if (entry.kind === 'link' && entry.linkResolved !== undefined)
      links.set(entry.relativePath, entry.linkResolved);
  }
  return { files, links };
}
