import { checkRuntimeCompatibility, compareVersions, satisfiesConstraint } from '@agentplug/version';
import type { IndexVersionEntry } from './marketplace-index';

/** Whether a version entry's runtime bounds include `runtimeVersion` (always, when no runtime is given). */
export function isRuntimeCompatible(
  entry: { min_runtime_version: string; max_runtime_version: string },
  runtimeVersion: string | undefined,
): boolean {
  if (runtimeVersion === undefined) return true;
  try {
    return checkRuntimeCompatibility(entry, runtimeVersion);
  } catch {
    // malformed bounds (min above max, not a version) make a version unusable, not the whole listing
    return false;
  }
}

/** Sorts versions from newest to oldest. */
export function sortVersionsDescending<T extends { version: string }>(entries: readonly T[]): T[] {
  return [...entries].sort((left, right) => compareVersions(right.version, left.version));
}

/** Whether `version` satisfies `constraint`. */
export function matchesConstraint(version: string, constraint: string): boolean {
  try {
    return satisfiesConstraint(version, constraint);
  } catch {
    return false;
  }
}

/** The newest non-yanked version compatible with the runtime (and the range, when given). */
export function pickLatestVersion(
  versions: Record<string, IndexVersionEntry>,
  options: { runtimeVersion?: string; range?: string } = {},
): IndexVersionEntry | undefined {
  return sortVersionsDescending(Object.values(versions)).find(
    (entry) =>
      !entry.yanked &&
      isRuntimeCompatible(entry, options.runtimeVersion) &&
      (options.range === undefined || matchesConstraint(entry.version, options.range)),
  );
}

/** Whether `candidate` is a higher version than `current`. */
export function isNewerVersion(candidate: string, current: string): boolean {
  return compareVersions(candidate, current) > 0;
}
