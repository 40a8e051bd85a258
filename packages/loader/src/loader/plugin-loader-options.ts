import type {
  IsolationMode,
  PluginCapability,
  PluginConfigOverride,
  PluginRevocation,
  PluginState,
  PluginStatus,
  PluginType,
  PluginValidatorLike,
  RiskLevel,
} from '@agentplug/models';
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
  /**
   * Where the operator's configuration of each plugin is read from (`<id>.json`, a config.json
   * document that wins over the plugin's shipped config.json). Default: `agentplug-config/` in the
   * plugin directory the plugin was found in, where `PluginRegistry` keeps it beside its lock file.
   * A folder path reads it there; `false` reads none.
   */
  operatorConfigDirectory?: string | false | undefined;
  /**
   * Refuse to load (or reload) a plugin version the marketplace revoked at this severity or above,
   * with PLUGIN_REVOKED and the marketplace's reason. Default `"critical"`; `false` loads revoked
   * versions. Revocations are read from `agentplug-revocations.json` in the plugin's directory
   * (`PluginRegistry` writes it whenever it checks updates or revocations) and from `revocations`.
   */
  refuseRevoked?: RiskLevel | false | undefined;
  /**
   * Revocations the host knows of besides the recorded ones (e.g. `await registry.checkRevocations()`);
   * replace them later with `PluginLoader.applyRevocations`.
   */
  revocations?: readonly PluginRevocation[] | undefined;
}

/** Options of `PluginLoader.loadPlugin`. */
export interface LoadPluginOptions {
  /**
   * The caller's configuration: a config.json document, every key optional (`{ config: { precision: 15 } }`);
   * wins over the operator's configuration and the shipped config.json. Keys config.json does not
   * have are refused with CONFIG_INVALID and a did-you-mean (`precision` → `config.precision`).
   */
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

/**
 * What auto-load did with one plugin: `active` (brought up; `state` holds it), `failed` (`error`
 * says why), or `skipped` (not attempted: the `"abort"` policy stopped at an earlier failure).
 */
export interface AutoLoadEntry {
  pluginId: string;
  status: 'active' | 'failed' | 'skipped';
  /** Only for `failed`. */
  error?: Error | undefined;
  /** Only for `active`. */
  state?: PluginState | undefined;
}

/** What `PluginLoader.autoLoadPlugins` did: one entry per plugin, in the order they were taken. */
export type AutoLoadResult = AutoLoadEntry[];

/** Options of `PluginLoader.invoke`: a time limit and an abort signal. */
export type InvokeOptions = PluginCallOptions;

/** One capability of an active plugin: what an agent needs to offer a tool to a model. */
export interface ActiveCapability {
  pluginId: string;
  capability: PluginCapability;
}
