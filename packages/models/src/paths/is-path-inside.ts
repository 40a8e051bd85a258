import { isAbsolute, relative, resolve, sep } from 'node:path';

/** What {@link isPathInside} counts as inside. */
export interface PathInsideOptions {
  /** Whether `target` equal to `folder` counts as inside (default true). */
  allowEqual?: boolean;
}

/**
 * Whether `target` is `folder` or lies under it, compared as resolved paths (no symlinks are
 * followed: pass real paths when links matter). The one containment rule every package uses.
 *
 * @example isPathInside('/plugins/a', '/plugins/a/lib/x.js') // true
 * @example isPathInside('/plugins/a', '/plugins/ab') // false
 */
export function isPathInside(folder: string, target: string, options: PathInsideOptions = {}): boolean {
  const relation = relative(resolve(folder), resolve(target));
  if (relation === '') return options.allowEqual ?? true;
  // `..foo` is a legitimate name inside; only a whole `..` segment leaves the folder. A relative
  // path that is absolute means another drive (Windows).
  return relation !== '..' && !relation.startsWith(`..${sep}`) && !isAbsolute(relation);
}
