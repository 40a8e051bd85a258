import { isStrictSemver, PluginError } from '@agentplug/models';
import { SemVer } from 'semver';
import { BoundedCache } from '../internal/bounded-cache';

/** A parsed semantic version 2.0.0. */
export interface ParsedVersion {
  /** The version as written. */
  readonly version: string;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Prerelease identifiers (`1.0.0-beta.2` → `['beta', 2]`); empty for a release. */
  readonly prerelease: readonly (string | number)[];
  /** Build metadata (`1.0.0+sha.5` → `['sha', '5']`); ignored by precedence. */
  readonly build: readonly string[];
}

const MAX_VERSION_LENGTH = 256;
const semverCache = new BoundedCache<string, SemVer>(10_000);

const IDENTIFIER = /^[0-9A-Za-z-]+$/;
const NUMERIC = /^\d+$/;

function describeProblem(version: string): string {
  if (version.length === 0) return 'it is empty';
  if (version.length > MAX_VERSION_LENGTH) return `it is longer than ${MAX_VERSION_LENGTH} characters`;
  if (version.trim() !== version) return 'it has leading or trailing whitespace';
  if (/^[vV=]/.test(version)) return `it starts with "${version[0]}"; write the bare number`;
  const buildStart = version.indexOf('+');
  const withoutBuild = buildStart === -1 ? version : version.slice(0, buildStart);
  const build = buildStart === -1 ? undefined : version.slice(buildStart + 1);
  const prereleaseStart = withoutBuild.indexOf('-');
  const core = prereleaseStart === -1 ? withoutBuild : withoutBuild.slice(0, prereleaseStart);
  const prerelease = prereleaseStart === -1 ? undefined : withoutBuild.slice(prereleaseStart + 1);
  const parts = core.split('.');
  if (parts.length !== 3) {
    return `it needs exactly three dot-separated numbers MAJOR.MINOR.PATCH, not ${parts.length}`;
  }
  const names = ['MAJOR', 'MINOR', 'PATCH'];
  for (const [index, part] of parts.entries()) {
    if (part.length === 0) return `${names[index]} is missing`;
    if (!NUMERIC.test(part)) return `${names[index]} "${part}" is not a non-negative integer`;
    if (part.length > 1 && part.startsWith('0')) return `${names[index]} "${part}" has a leading zero`;
    if (!Number.isSafeInteger(Number(part))) return `${names[index]} "${part}" is too large`;
  }
  if (prerelease !== undefined) {
    for (const identifier of prerelease.split('.')) {
      if (identifier.length === 0) return 'the prerelease has an empty identifier';
      if (!IDENTIFIER.test(identifier)) {
        return `the prerelease identifier "${identifier}" may only contain 0-9, A-Z, a-z and -`;
      }
      if (NUMERIC.test(identifier) && identifier.length > 1 && identifier.startsWith('0')) {
        return `the numeric prerelease identifier "${identifier}" has a leading zero`;
      }
    }
  }
  if (build !== undefined) {
    for (const identifier of build.split('.')) {
      if (identifier.length === 0) return 'the build metadata has an empty identifier';
      if (!IDENTIFIER.test(identifier)) {
        return `the build identifier "${identifier}" may only contain 0-9, A-Z, a-z and -`;
      }
    }
  }
  return 'it is not MAJOR.MINOR.PATCH[-prerelease][+build]';
}

/** Parses into node-semver's class, cached; the class never leaves this package. @throws PluginError INVALID_VERSION */
export function toSemver(version: unknown): SemVer {
  if (typeof version !== 'string') {
    throw new PluginError(
      'INVALID_VERSION',
      `Invalid version: expected a string, got ${version === null ? 'null' : typeof version}.`,
      { details: { version } },
    );
  }
  const cached = semverCache.get(version);
  if (cached !== undefined) return cached;
  let parsed: SemVer | undefined;
  if (version.length <= MAX_VERSION_LENGTH && isStrictSemver(version)) {
    try {
      parsed = new SemVer(version);
    } catch {
      // node-semver refuses numbers past Number.MAX_SAFE_INTEGER; describeProblem says which.
    }
  }
  if (parsed === undefined) {
    throw new PluginError(
      'INVALID_VERSION',
      `Invalid version "${version.slice(0, 80)}": ${describeProblem(version)}. Use MAJOR.MINOR.PATCH, optionally with -prerelease and +build (e.g. 1.2.3-beta.1+sha.5).`,
      { details: { version } },
    );
  }
  semverCache.set(version, parsed);
  return parsed;
}

/**
 * Parses a strict semantic version 2.0.0 (prerelease and build allowed, no `v` prefix).
 * @throws PluginError INVALID_VERSION, with a message saying what is wrong
 * @example parseVersion('1.2.3-beta.1') // { major: 1, minor: 2, patch: 3, prerelease: ['beta', 1], ... }
 */
export function parseVersion(version: string): ParsedVersion {
  const parsed = toSemver(version);
  return Object.freeze({
    version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: Object.freeze([...parsed.prerelease]),
    build: Object.freeze([...parsed.build]),
  });
}

/** Whether a string is a strict semantic version that {@link parseVersion} accepts. */
export function isValidVersion(version: string): boolean {
  return typeof version === 'string' && version.length <= MAX_VERSION_LENGTH && isStrictSemver(version);
}
