// The public entry: PluginLoader, the types of its options, results and events, resolveEntryPoint
// and detectOsSandbox. Everything else in src is internal (see the README's source map).
export type { PluginConfigOverride, PluginRevocation } from '@agentplug/models';
export type { DiscoveredPlugin, DiscoveryProblem, DiscoveryResult } from './discovery/discover-plugins';
export { resolveEntryPoint } from './entry/resolve-entry-point';
export type {
  CapabilitiesChangedEvent,
  CapabilitiesChangeReason,
  PluginLoaderEvents,
  ReloadEvent,
  StateChangeEvent,
} from './events/plugin-loader-events';
export type { EventListener } from './events/typed-emitter';
export type { PermissionEvent, ProcessSandboxOptions } from './host/plugin-host';
export { detectOsSandbox, type OsSandboxStatus } from './isolation/process/detect-os-sandbox';
export { PluginLoader } from './loader/plugin-loader';
export type {
  ActiveCapability,
  AutoLoadEntry,
  AutoLoadOptions,
  AutoLoadPolicy,
  AutoLoadResult,
  InvokeOptions,
  ListPluginsOptions,
  LoadPluginOptions,
  PluginLoaderOptions,
  ReloadPluginOptions,
  UnloadPluginOptions,
} from './loader/plugin-loader-options';
