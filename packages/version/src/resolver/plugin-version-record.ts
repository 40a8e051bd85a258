import type { PluginDependencyInput } from '@agentplug/models';

/** One version of a plugin as the resolver sees it; a parsed plugin.json is one. */
export interface PluginVersionRecord {
  plugin_id: string;
  version: string;
  dependencies?: readonly PluginDependencyInput[] | undefined;
  /** Lowest runtime version supported, or `*` / absent for no bound. */
  min_runtime_version?: string | undefined;
  /** Highest runtime version supported, or `*` / absent for no bound. */
  max_runtime_version?: string | undefined;
}

/** The seed's flat form of an available plugin version: `[plugin_id, version]`, no dependencies. */
export type PluginVersionTuple = readonly [pluginId: string, version: string];

/** A source too large to list: returns the versions of one plugin (none or `undefined` when unknown), sync or async. */
export interface PluginVersionSource {
  getVersions(
    pluginId: string,
  ):
    | readonly (PluginVersionRecord | PluginVersionTuple)[]
    | undefined
    | null
    | Promise<readonly (PluginVersionRecord | PluginVersionTuple)[] | undefined | null>;
}

/** What {@link resolveDependencies} chooses from: a list of plugin versions, or a source to ask. */
export type AvailablePlugins = readonly (PluginVersionRecord | PluginVersionTuple)[] | PluginVersionSource;

/** What is being resolved: a manifest, or any object with dependencies. */
export interface ResolutionRoot {
  /** When present with `version`, the root is part of the solution and the load order (last). */
  plugin_id?: string | undefined;
  version?: string | undefined;
  dependencies?: readonly PluginDependencyInput[] | undefined;
  min_runtime_version?: string | undefined;
  max_runtime_version?: string | undefined;
}
