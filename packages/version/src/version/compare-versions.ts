import { toSemver } from './parse-version';

/**
 * Compares two versions by semver precedence (build metadata ignored).
 * @throws PluginError INVALID_VERSION
 * @example compareVersions('1.0.0-beta', '1.0.0') // -1
 */
export function compareVersions(left: string, right: string): -1 | 0 | 1 {
  return toSemver(left).compare(toSemver(right));
}
