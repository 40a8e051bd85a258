export { type CompiledSchema, compileJsonSchema, type SchemaIssue } from './config/compile-json-schema';
export {
  type PluginConfigOverride,
  type ResolvePluginConfigOptions,
  resolvePluginConfig,
} from './config/resolve-plugin-config';
export {
  type DiscoveredPlugin,
  type DiscoverPluginFoldersOptions,
  type DiscoveryProblem,
  type DiscoveryResult,
  discoverPluginFolders,
  type ManifestCache,
} from './discovery/discover-plugins';
export { listEntryPointCandidates, resolveEntryPoint } from './entry/resolve-entry-point';
export { createInProcessHost } from './host/create-in-process-host';
export type {
  LifecycleHook,
  PermissionEvent,
  PluginCallOptions,
  PluginHost,
  PluginHostOptions,
} from './host/plugin-host';
export { assertTransition, isTransitionAllowed, LIFECYCLE_TRANSITIONS } from './lifecycle/transitions';
export { type AutoLoadCandidate, type AutoLoadOrder, orderForAutoLoad } from './loader/auto-load-order';
export type {
  CapabilitiesChangedEvent,
  CapabilitiesChangeReason,
  PluginLoaderEvents,
  ReloadEvent,
  StateChangeEvent,
} from './loader/events';
export {
  type ActiveCapability,
  type AutoLoadFailure,
  type AutoLoadOptions,
  type AutoLoadPolicy,
  type AutoLoadResult,
  type InvokeOptions,
  type ListPluginsOptions,
  type LoadPluginOptions,
  PluginLoader,
  type PluginLoaderOptions,
  type PluginValidatorLike,
  type ReloadPluginOptions,
  type UnloadPluginOptions,
} from './loader/plugin-loader';
export type { EventListener } from './loader/typed-emitter';
