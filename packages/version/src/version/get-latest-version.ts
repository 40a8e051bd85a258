import { toSemver } from './parse-version';

/** Options of {@link getLatestVersion}. */
export interface GetLatestVersionOptions {
  /** Consider prereleases as well as releases (default false: prereleases only when nothing else exists). */
  includePrerelease?: boolean;
}

/**
 * Returns the newest version of a list: releases preferred, prereleases only when asked or when
 * the list has nothing else; `undefined` for an empty list. Of equal versions the first listed wins.
 * @throws PluginError INVALID_VERSION when an entry is not a version
 * @example getLatestVersion(['1.0.0', '2.0.0-rc.1', '1.5.0']) // '1.5.0'
 */
export function getLatestVersion(
  versions: readonly string[],
  options: GetLatestVersionOptions = {},
): string | undefined {
  let latest: string | undefined;
  let latestStable: string | undefined;
  for (const version of versions) {
    const parsed = toSemver(version);
    if (latest === undefined || parsed.compare(toSemver(latest)) > 0) latest = version;
    if (
      parsed.prerelease.length === 0 &&
      (latestStable === undefined || parsed.compare(toSemver(latestStable)) > 0)
    ) {
      latestStable = version;
    }
  }
  if (options.includePrerelease === true) return latest;
  return latestStable ?? latest;
}
