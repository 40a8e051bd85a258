export { isValidConstraint, parseConstraint, type VersionConstraint } from './constraint/parse-constraint';
export { satisfiesConstraint } from './constraint/satisfies-constraint';
export {
  PluginVersionManager,
  type PluginVersionManagerOptions,
} from './plugin-version-manager';
export type {
  AvailablePlugins,
  PluginVersionRecord,
  PluginVersionSource,
  PluginVersionTuple,
  ResolutionRoot,
} from './resolver/plugin-version-record';
export {
  assertResolved,
  resolveDependencies,
  resolveDependenciesSync,
} from './resolver/resolve-dependencies';
export type {
  ResolveDependenciesOptions,
  ResolveFailure,
  ResolveResult,
  ResolveSuccess,
} from './resolver/resolve-types';
export { checkRuntimeCompatibility, type RuntimeBounds } from './runtime/check-runtime-compatibility';
export { compareVersions } from './version/compare-versions';
export { type GetLatestVersionOptions, getLatestVersion } from './version/get-latest-version';
export { isValidVersion, type ParsedVersion, parseVersion } from './version/parse-version';
