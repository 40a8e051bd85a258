import { parseConstraint } from './parse-constraint';

/**
 * Whether a version satisfies a constraint, with node-semver's prerelease rules (a prerelease
 * matches only a constraint that names a prerelease of the same MAJOR.MINOR.PATCH).
 * @throws PluginError INVALID_VERSION, INVALID_CONSTRAINT (never a silent false)
 * @example satisfiesConstraint('1.5.2', '>=1.0.0,<2.0.0') // true
 */
export function satisfiesConstraint(version: string, constraint: string): boolean {
  return parseConstraint(constraint).test(version);
}
