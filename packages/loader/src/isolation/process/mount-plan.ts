import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { isPathInside } from '@agentplug/models';

/** What a bubblewrap sandbox shows: read-only and writable binds, and symlinks, each at its path. */
export interface MountPlan {
  readOnly: Set<string>;
  writable: Set<string>;
  /** Link path to link target (as readlink gives it). */
  symlinks: Map<string, string>;
}

function isInsideAny(roots: readonly string[], path: string): boolean {
  return roots.some((root) => isPathInside(root, path));
}

/** Creates an empty plan. */
export function createMountPlan(): MountPlan {
  return { readOnly: new Set(), writable: new Set(), symlinks: new Map() };
}

const maximumLinks = 40;

/**
 * Adds `path` to the plan so it resolves inside the sandbox as it does outside: every symlink on
 * the way is recreated as a symlink (`/lib -> usr/lib`), and the real file or folder it ends at is
 * bound there, read-only or writable. A path that does not exist is skipped.
 */
export function addPath(plan: MountPlan, path: string, mode: 'read' | 'write', depth = 0): void {
  if (!isAbsolute(path) || depth > maximumLinks) return;
  const parts = resolve(path)
    .split(sep)
    .filter((part) => part !== '');
  let current = '';
  for (let index = 0; index < parts.length; index += 1) {
    current = `${current}${sep}${parts[index]}`;
    let stats: ReturnType<typeof lstatSync> | undefined;
    try {
      stats = lstatSync(current);
    } catch {
      return;
    }
    if (stats.isSymbolicLink()) {
      const target = readlinkSync(current);
      plan.symlinks.set(current, target);
      const rest = parts.slice(index + 1).join(sep);
      const followed = resolve(dirname(current), target, rest);
      addPath(plan, followed, mode, depth + 1);
      return;
    }
  }
  const real = realpathSync(path);
  if (mode === 'write') plan.writable.add(real);
  else plan.readOnly.add(real);
}

/**
 * The bubblewrap arguments of a plan: binds first (bubblewrap creates the folders they need), then
 * the symlinks. A path bound writable is not also bound read-only; a path below a writable bind
 * that is bound read-only comes after it, so it stays read-only.
 */
export function mountArguments(plan: MountPlan): string[] {
  const args: string[] = [];
  const writable = [...plan.writable];
  const bound = [...plan.readOnly, ...writable];
  // Declaring a folder writable makes everything inside it writable, as the policy reads it.
  const readOnly = [...plan.readOnly].filter((path) => !isInsideAny(writable, path));
  const ordered = [
    ...readOnly.map((path) => ({ path, mode: 'read' as const })),
    ...[...plan.writable].map((path) => ({ path, mode: 'write' as const })),
  ].sort((left, right) => left.path.length - right.path.length);
  for (const { path, mode } of ordered) args.push(mode === 'write' ? '--bind' : '--ro-bind', path, path);
  const links = [...plan.symlinks].sort((left, right) => left[0].length - right[0].length);
  for (const [link, target] of links) {
    // A link inside a bound folder is already there.
    if (isInsideAny(bound, link)) continue;
    args.push('--symlink', target, link);
  }
  return args;
}
