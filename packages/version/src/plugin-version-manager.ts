import { PluginError } from '@agentplug/models';
import { isValidConstraint, parseConstraint, type VersionConstraint } from './constraint/parse-constraint';
import { satisfiesConstraint } from './constraint/satisfies-constraint';
import type { AvailablePlugins, ResolutionRoot } from './resolver/plugin-version-record';
import { resolveDependencies, resolveDependenciesSync } from './resolver/resolve-dependencies';
import type { ResolveDependenciesOptions, ResolveResult } from './resolver/resolve-types';
import { checkRuntimeCompatibility, type RuntimeBounds } from './runtime/check-runtime-compatibility';
import { compareVersions } from './version/compare-versions';
import { type GetLatestVersionOptions, getLatestVersion } from './version/get-latest-version';
import { type ParsedVersion, parseVersion } from './version/parse-version';

/** Options of a {@link PluginVersionManager}. */
export interface PluginVersionManagerOptions {
  /** The runtime version used by `resolveDependencies` when a call does not pass one. */
  runtimeVersion?: string | undefined;
}

/**
 * The seed's `PluginVersionManager`: the package's functions as methods, with a default runtime
 * version for resolution.
 * @example
 * const versions = new PluginVersionManager({ runtimeVersion: '1.5.0' });
 * versions.satisfiesConstraint('1.5.2', '>=1.0.0,<2.0.0'); // true
 */
export class PluginVersionManager {
  readonly runtimeVersion: string | undefined;

  constructor(options: PluginVersionManagerOptions = {}) {
    this.runtimeVersion = options.runtimeVersion;
  }

  /** See {@link parseVersion}. @throws PluginError INVALID_VERSION */
  parseVersion(version: string): ParsedVersion {
    return parseVersion(version);
  }

  /** See {@link compareVersions}. @throws PluginError INVALID_VERSION */
  compareVersions(left: string, right: string): -1 | 0 | 1 {
    return compareVersions(left, right);
  }

  /** See {@link parseConstraint}. @throws PluginError INVALID_CONSTRAINT */
  parseConstraint(constraint: string): VersionConstraint {
    return parseConstraint(constraint);
  }

  /** See {@link isValidConstraint}. */
  isValidConstraint(constraint: string): boolean {
    return isValidConstraint(constraint);
  }

  /** See {@link satisfiesConstraint}. @throws PluginError INVALID_VERSION, INVALID_CONSTRAINT */
  satisfiesConstraint(version: string, constraint: string): boolean {
    return satisfiesConstraint(version, constraint);
  }

  /** See {@link checkRuntimeCompatibility}; `runtimeVersion` defaults to the manager's. @throws PluginError INVALID_VERSION, MANIFEST_INVALID, INVALID_ARGUMENT */
  checkRuntimeCompatibility(
    metadata: RuntimeBounds,
    runtimeVersion: string | undefined = this.runtimeVersion,
  ): boolean {
    if (runtimeVersion === undefined) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        'checkRuntimeCompatibility needs a runtime version: pass one, or create the manager with { runtimeVersion }.',
      );
    }
    return checkRuntimeCompatibility(metadata, runtimeVersion);
  }

  /** See {@link resolveDependencies}; `runtimeVersion` defaults to the manager's. @throws PluginError for malformed input */
  resolveDependencies(
    root: ResolutionRoot,
    available: AvailablePlugins,
    options: ResolveDependenciesOptions = {},
  ): Promise<ResolveResult> {
    return resolveDependencies(root, available, { runtimeVersion: this.runtimeVersion, ...options });
  }

  /** See {@link resolveDependenciesSync}. @throws PluginError for malformed input or an async source */
  resolveDependenciesSync(
    root: ResolutionRoot,
    available: AvailablePlugins,
    options: ResolveDependenciesOptions = {},
  ): ResolveResult {
    return resolveDependenciesSync(root, available, { runtimeVersion: this.runtimeVersion, ...options });
  }

  /** See {@link getLatestVersion}. @throws PluginError INVALID_VERSION */
  getLatestVersion(versions: readonly string[], options: GetLatestVersionOptions = {}): string | undefined {
    return getLatestVersion(versions, options);
  }
}
