import type {
  IsolationMode,
  PluginCapability,
  PluginState,
  PluginStatus,
  PluginType,
  PluginValidatorLike,
  RiskLevel,
} from '@agentplug/models';
import type { PluginConfigOverride } from '../config/resolve-plugin-config';
import type { PluginCallOptions, ProcessSandboxOptions } from '../host/plugin-host';

// The options and results of PluginLoader's public methods, apart from the class so that the
// facade reads as behaviour.

/** What to do when one plugin fails during `PluginLoader.autoLoadPlugins`. */
export type AutoLoadPolicy = 'continue' | 'abort';

/** Options of a `PluginLoader`. */
export interface PluginLoaderOptions {
  /** One plugin directory or several; each sub-folder with a plugin.json is a plugin. */
  pluginDirectory: string | readonly string[];
  /** Validates plugins before they load (when `validate` is true, the default); sync or async. */
  validator?: PluginValidatorLike | undefined;
  /** The host's runtime version, checked against each plugin's min/max_runtime_version. */
  runtimeVersion?: string | undefined;
  /** Whether `autoLoadPlugins` loads anything. Default true. */
  enableAutoLoad?: boolean | undefined;
  /** Reload a loaded plugin when a file in its folder changes. Default false. */
  watch?: boolean | { debounceMs?: number } | undefined;
  /** Isolation for plugins whose config.json and load call do not say. Default `"none"`. */
  defaultIsolation?: IsolationMode | undefined;
  /** How plugins with `isolation: "process"` are sandboxed: OS layer required or not, limits. */
  processSandbox?: ProcessSandboxOptions | undefined;
  /** Refuse plugins whose validation risk level is above this. Default `"high"` (critical is refused). */
  maxRiskLevel?: RiskLevel | undefined;
  /** Reuse a validation result while the plugin's files are unchanged. Default true. */
  cacheValidation?: boolean | undefined;
  /** Default policy of `autoLoadPlugins`. Default `"continue"`. */
  autoLoadPolicy?: AutoLoadPolicy | undefined;
  /** A time limit for each lifecycle hook, in milliseconds. Default none. */
  hookTimeoutMs?: number | undefined;
  /** How long a reload waits for in-flight invocations before swapping anyway, in milliseconds. Default 30,000. */
  drainTimeoutMs?: number | undefined;
}

/** Options of `PluginLoader.loadPlugin`. */
export interface LoadPluginOptions {
  /** The caller's configuration (a config.json document, every key optional); wins over config.json. */
  config?: PluginConfigOverride | undefined;
  /** Run the validator first. Default true. */
  validate?: boolean | undefined;
  /** Where the plugin runs; wins over config.json's sandbox_config_override.isolation and the loader default. */
  isolation?: IsolationMode | undefined;
}

/** Options of `PluginLoader.unloadPlugin`. */
export interface UnloadPluginOptions {
  /** Unload the loaded plugins that depend on this one first, instead of refusing. Default false. */
  cascade?: boolean | undefined;
}

/** Options of `PluginLoader.reloadPlugin`. */
export interface ReloadPluginOptions {
  /** Run the validator on the new code. Default true. */
  validate?: boolean | undefined;
}

/** Filters of `PluginLoader.listPlugins`. */
export interface ListPluginsOptions {
  status?: PluginStatus | undefined;
  type?: PluginType | undefined;
}

/** Options of `PluginLoader.autoLoadPlugins`. */
export interface AutoLoadOptions {
  /** `"abort"` stops at the first failure; `"continue"` (default) goes on with the others. */
  policy?: AutoLoadPolicy | undefined;
}

/** One plugin auto-load could not bring up, and why. */
export interface AutoLoadFailure {
  pluginId: string;
  error: Error;
}

/** What `PluginLoader.autoLoadPlugins` did. */
export interface AutoLoadResult {
  /** The plugins now active, in the order they were brought up. */
  loaded: PluginState[];
  failed: AutoLoadFailure[];
  /** Plugins not attempted because the `"abort"` policy stopped at a failure. */
  skipped: string[];
}

/** Options of `PluginLoader.invoke`: a time limit and an abort signal. */
export type InvokeOptions = PluginCallOptions;

/** One capability of an active plugin: what an agent needs to offer a tool to a model. */
export interface ActiveCapability {
  pluginId: string;
  capability: PluginCapability;
}
