import {
  type IsolationMode,
  type PluginConfig,
  type PluginConfigOverride,
  type PluginMetadata,
  resolvePluginConfig,
  SandboxConfigSchema,
} from '@agentplug/models';
import { type OperatorConfigLocation, readConfigLayers } from '../config/read-config-layers';
import { resolveLoadOrder } from '../dependencies/resolve-load-order';
import { resolveEntryPoint } from '../entry/resolve-entry-point';
import { hookError } from '../errors/loader-errors';
import { createPluginHost } from '../host/create-plugin-host';
import type {
  PermissionEvent,
  PluginCallOptions,
  PluginHost,
  ProcessSandboxOptions,
} from '../host/plugin-host';
import type { RevocationGate } from '../validation/revocation-gate';
import type { ValidationGate } from '../validation/validation-gate';

/** A started, initialised plugin instance that has not yet taken over its plugin's state. */
export interface PreparedPlugin {
  metadata: PluginMetadata;
  config: PluginConfig;
  host: PluginHost;
}

/** Options of {@link preparePlugin}: the plugin, how it was asked to load, and the loader's services. */
export interface PreparePluginOptions {
  pluginId: string;
  /** Absolute path of the plugin folder. */
  pluginPath: string;
  /** The manifest to load (the discovered one, or the one on disk now for a reload). */
  metadata: PluginMetadata;
  /** The load call's configuration; wins over the operator's and the shipped config.json. */
  callerConfig: PluginConfigOverride | undefined;
  /** Where the operator's configuration is read from (see `PluginLoaderOptions.operatorConfigDirectory`). */
  operatorConfigLocation: OperatorConfigLocation;
  /** The load call's isolation; wins over config.json's and `defaultIsolation`. */
  isolation: IsolationMode | undefined;
  defaultIsolation: IsolationMode;
  /** How the process tier sandboxes (ignored by the other tiers). */
  processSandbox: ProcessSandboxOptions | undefined;
  /** Refuses revoked versions; passed before anything else. */
  revocationGate: RevocationGate;
  /** The gate to pass first, or undefined to skip validation. */
  validationGate: ValidationGate | undefined;
  runtimeVersion: string | undefined;
  hookLimits: PluginCallOptions;
  /** The discovered versions of a plugin, for the dependency resolver. */
  getVersions(pluginId: string): PluginMetadata[];
  /** Brings a required dependency up before this plugin starts. */
  ensureDependency(dependencyId: string): Promise<void>;
  onPermissionEvent(event: PermissionEvent): void;
  /** The host died on its own; `host` is undefined if it died before its factory returned. */
  onCrash(host: PluginHost | undefined, error: Error): void;
}

/**
 * Everything a load does before the new instance takes over, in order: the revocation check, the shipped config.json and
 * the operator's configuration read and merged with the caller's, the validation gate, runtime compatibility and required
 * dependencies (loaded first, in order), the entry module resolved, the host of the isolation mode
 * started, and `initialize()` awaited. Touches no plugin state, so a reload can run it while the
 * old instance serves; a host whose `initialize()` fails is disposed.
 *
 * @throws PluginError PLUGIN_REVOKED, CONFIG_INVALID, VALIDATION_FAILED, INCOMPATIBLE, DEPENDENCY_UNRESOLVED, DEPENDENCY_CYCLE, ENTRY_NOT_FOUND, ENTRY_INVALID, LOAD_FAILED, HOOK_FAILED, TIMEOUT
 */
export async function preparePlugin(options: PreparePluginOptions): Promise<PreparedPlugin> {
  const { pluginId, pluginPath, metadata } = options;
  await options.revocationGate.check(pluginId, metadata.version, pluginPath);
  const layers = await readConfigLayers(pluginId, pluginPath, options.operatorConfigLocation);
  const config = resolvePluginConfig({ metadata, ...layers, callerConfig: options.callerConfig });
  if (options.validationGate !== undefined) await options.validationGate.check(pluginPath, metadata);
  const order = await resolveLoadOrder(metadata, {
    getVersions: options.getVersions,
    runtimeVersion: options.runtimeVersion,
  });
  for (const dependencyId of order) await options.ensureDependency(dependencyId);
  const entryModulePath = await resolveEntryPoint(pluginPath, metadata.entry_point);
  const isolation = options.isolation ?? config.sandbox_config_override.isolation ?? options.defaultIsolation;
  const sandbox = SandboxConfigSchema.parse({ ...config.sandbox_config_override, isolation });
  let host: PluginHost | undefined;
  host = await createPluginHost({
    pluginId,
    pluginPath,
    entryModulePath,
    metadata,
    config: config.config,
    permissions: metadata.permissions,
    sandbox,
    onPermissionEvent: options.onPermissionEvent,
    onCrash: (error) => options.onCrash(host, error),
    processSandbox: options.processSandbox,
  });
  try {
    await host.callHook('initialize', options.hookLimits);
  } catch (error) {
    await host.dispose().catch(() => undefined);
    throw hookError(pluginId, 'initialize', error);
  }
  return { metadata, config, host };
}
