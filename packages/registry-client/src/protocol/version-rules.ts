import {
  checkRuntimeCompatibility,
  compareVersions,
  getLatestVersion,
  parseVersion,
  satisfiesConstraint,
} from '@agentplug/version';
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

/** Whether `version` is a prerelease (`2.0.0-rc.1`). */
export function isPrerelease(version: string): boolean {
  return parseVersion(version).prerelease.length > 0;
}

/** Which versions {@link pickLatestVersion} may choose from. */
export interface PickLatestVersionOptions {
  /** Only versions whose runtime bounds include it. */
  runtimeVersion?: string;
  /** Only versions satisfying this constraint (or every one of these). */
  range?: string | readonly string[];
  /** Prefer a newer prerelease over the newest release (asked for explicitly). Default false. */
  includePrerelease?: boolean;
}

/**
 * The latest usable version: of the non-yanked, runtime-compatible versions in `range`, the one
 * `@agentplug/version`'s `getLatestVersion` picks — the newest release, a prerelease only when asked
 * (`includePrerelease`) or when no release qualifies, as npm does. For `{1.5.0, 2.0.0-rc.1}` that is 1.5.0.
 */
export function pickLatestVersion(
  versions: Readonly<Record<string, IndexVersionEntry>>,
  options: PickLatestVersionOptions = {},
): IndexVersionEntry | undefined {
  const ranges =
    options.range === undefined ? [] : typeof options.range === 'string' ? [options.range] : options.range;
  const usable = Object.values(versions).filter(
    (entry) =>
      !entry.yanked &&
      isRuntimeCompatible(entry, options.runtimeVersion) &&
      ranges.every((range) => matchesConstraint(entry.version, range)),
  );
  const latest = getLatestVersion(
    usable.map((entry) => entry.version),
    { includePrerelease: options.includePrerelease === true },
  );
  return latest === undefined ? undefined : usable.find((entry) => entry.version === latest);
}

/** Whether `candidate` is a higher version than `current`. */
export function isNewerVersion(candidate: string, current: string): boolean {
  return compareVersions(candidate, current) > 0;
}
