import { resolve } from 'node:path';
import {
  type IsolationMode,
  isRiskAbove,
  type PluginCapability,
  type PluginConfig,
  PluginError,
  type PluginErrorCode,
  PluginLoadError,
  type PluginMetadata,
  type PluginState,
  type PluginStatus,
  type PluginType,
  PluginValidationError,
  type PluginValidationResult,
  type RiskLevel,
  readConfig,
  readManifest,
  SandboxConfigSchema,
} from '@agentplug/models';
import { type CompiledSchema, compileJsonSchema, formatSchemaIssues } from '../config/compile-json-schema';
import { type PluginConfigOverride, resolvePluginConfig } from '../config/resolve-plugin-config';
import { resolveLoadOrder } from '../dependencies/resolve-load-order';
import {
  type DiscoveredPlugin,
  type DiscoveryProblem,
  type DiscoveryResult,
  discoverPluginFolders,
  type ManifestCache,
} from '../discovery/discover-plugins';
import { resolveEntryPoint } from '../entry/resolve-entry-point';
import { createInProcessHost } from '../host/create-in-process-host';
import type { PluginCallOptions, PluginHost, PluginHostOptions } from '../host/plugin-host';
import { createWorkerHost } from '../isolation';
import { assertTransition } from '../lifecycle/transitions';
import { fingerprintFolder } from '../validation/fingerprint-folder';
import { type FolderWatch, watchPluginFolder } from '../watch/watch-plugin-folder';
import { orderForAutoLoad } from './auto-load-order';
import type { PluginLoaderEvents } from './events';
import { OperationQueue } from './operation-queue';
import { type EventListener, TypedEmitter } from './typed-emitter';

/**
 * What the loader needs from a validator: `@agentplug/validator`'s `PluginValidator` fits, and
 * so does any object with this method.
 */
export interface PluginValidatorLike {
  validatePlugin(pluginPath: string, metadata?: PluginMetadata): Promise<PluginValidationResult>;
}

/** What to do when one plugin fails during {@link PluginLoader.autoLoadPlugins}. */
export type AutoLoadPolicy = 'continue' | 'abort';

/** Options of a {@link PluginLoader}. */
export interface PluginLoaderOptions {
  /** One plugin directory or several; each sub-folder with a plugin.json is a plugin. */
  pluginDirectory: string | readonly string[];
  /** Validates plugins before they load (when `validate` is true, the default). */
  validator?: PluginValidatorLike | undefined;
  /** The host's runtime version, checked against each plugin's min/max_runtime_version. */
  runtimeVersion?: string | undefined;
  /** Whether {@link PluginLoader.autoLoadPlugins} loads anything. Default true. */
  enableAutoLoad?: boolean | undefined;
  /** Reload a loaded plugin when a file in its folder changes. Default false. */
  watch?: boolean | { debounceMs?: number } | undefined;
  /** Isolation for plugins whose config.json and load call do not say. Default `"none"`. */
  defaultIsolation?: IsolationMode | undefined;
  /** Refuse plugins whose validation risk level is above this. Default `"high"` (critical is refused). */
  maxRiskLevel?: RiskLevel | undefined;
  /** Reuse a validation result while the plugin's files are unchanged. Default true. */
  cacheValidation?: boolean | undefined;
  /** Default policy of {@link PluginLoader.autoLoadPlugins}. Default `"continue"`. */
  autoLoadPolicy?: AutoLoadPolicy | undefined;
  /** A time limit for each lifecycle hook, in milliseconds. Default none. */
  hookTimeoutMs?: number | undefined;
  /** How long a reload waits for in-flight invocations before swapping anyway, in milliseconds. Default 30,000. */
  drainTimeoutMs?: number | undefined;
}

/** Options of {@link PluginLoader.loadPlugin}. */
export interface LoadPluginOptions {
  /** The caller's configuration (a config.json document, every key optional); wins over config.json. */
  config?: PluginConfigOverride | undefined;
  /** Run the validator first. Default true. */
  validate?: boolean | undefined;
  /** Where the plugin runs; wins over config.json's sandbox_config_override.isolation and the loader default. */
  isolation?: IsolationMode | undefined;
}

/** Options of {@link PluginLoader.unloadPlugin}. */
export interface UnloadPluginOptions {
  /** Unload the loaded plugins that depend on this one first, instead of refusing. Default false. */
  cascade?: boolean | undefined;
}

/** Options of {@link PluginLoader.reloadPlugin}. */
export interface ReloadPluginOptions {
  /** Run the validator on the new code. Default true. */
  validate?: boolean | undefined;
}

/** Filters of {@link PluginLoader.listPlugins}. */
export interface ListPluginsOptions {
  status?: PluginStatus | undefined;
  type?: PluginType | undefined;
}

/** Options of {@link PluginLoader.autoLoadPlugins}. */
export interface AutoLoadOptions {
  /** `"abort"` stops at the first failure; `"continue"` (default) goes on with the others. */
  policy?: AutoLoadPolicy | undefined;
}

/** One plugin auto-load could not bring up, and why. */
export interface AutoLoadFailure {
  pluginId: string;
  error: Error;
}

/** What {@link PluginLoader.autoLoadPlugins} did. */
export interface AutoLoadResult {
  /** The plugins now active, in the order they were brought up. */
  loaded: PluginState[];
  failed: AutoLoadFailure[];
  /** Plugins not attempted because the `"abort"` policy stopped at a failure. */
  skipped: string[];
}

/** Options of {@link PluginLoader.invoke}. */
export type InvokeOptions = PluginCallOptions;

/** One capability of an active plugin: what an agent needs to offer a tool to a model. */
export interface ActiveCapability {
  pluginId: string;
  capability: PluginCapability;
}

/** Creates a host for an isolation mode: in-process here, the worker host from ./isolation. */
type HostFactory = (options: PluginHostOptions) => Promise<PluginHost>;

interface PluginRecord {
  readonly pluginId: string;
  readonly state: PluginState;
  host: PluginHost | null;
  callerConfig: PluginConfigOverride | undefined;
  isolation: IsolationMode | undefined;
  validate: boolean;
  capabilities: Map<string, PluginCapability>;
  paramSchemas: Map<string, CompiledSchema>;
  inFlight: number;
  idleWaiters: Array<() => void>;
  /** Set while a reload swaps instances: invocations wait for it. */
  gate: Promise<void> | null;
  watch: FolderWatch | null;
}

interface PreparedPlugin {
  metadata: PluginMetadata;
  config: PluginConfig;
  host: PluginHost;
}

const SETTLED_STATUSES: ReadonlySet<PluginStatus> = new Set(['loaded', 'active', 'inactive']);

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asLoadError(pluginId: string, error: unknown, fallback: PluginErrorCode): PluginError {
  if (error instanceof PluginValidationError || error instanceof PluginLoadError) return error;
  if (PluginError.is(error)) {
    // The inner PluginError only said what this message says; keep the root cause instead.
    return new PluginLoadError(pluginId, `cannot load ${pluginId}: ${error.message}`, {
      code: error.code,
      cause: error.cause ?? error,
      details: error.details,
    });
  }
  return new PluginLoadError(pluginId, `cannot load ${pluginId}: ${describe(error)}`, {
    code: fallback,
    cause: error,
  });
}

function hookError(pluginId: string, hook: string, error: unknown): PluginError {
  if (PluginError.is(error, 'TIMEOUT')) {
    return new PluginLoadError(pluginId, `${pluginId}.${hook}() timed out: ${error.message}`, {
      code: 'TIMEOUT',
      cause: error,
      details: { hook },
    });
  }
  return new PluginLoadError(pluginId, `${pluginId}.${hook}() failed: ${describe(error)}`, {
    code: 'HOOK_FAILED',
    cause: error,
    details: { hook },
  });
}

/**
 * Discovers, validates, loads, activates, hot-reloads and unloads plugins: the seed's
 * PluginLoader. Operations on one plugin are serialised; operations on different plugins run
 * concurrently.
 *
 * @example
 * const loader = new PluginLoader({ pluginDirectory: './plugins', validator: new PluginValidator() });
 * await loader.discoverPlugins();
 * const state = await loader.loadPlugin('com.example.calculator', { config: { config: { precision: 15 } } });
 * await loader.activatePlugin('com.example.calculator');
 * await loader.invoke('com.example.calculator', 'arithmetic', { expression: '2 + 2' });
 */
export class PluginLoader {
  private readonly directories: string[];
  private readonly validator: PluginValidatorLike | undefined;
  private readonly runtimeVersion: string | undefined;
  private readonly enableAutoLoad: boolean;
  private readonly watchDebounceMs: number | undefined;
  private readonly defaultIsolation: IsolationMode;
  private readonly maxRiskLevel: RiskLevel;
  private readonly cacheValidation: boolean;
  private readonly autoLoadPolicy: AutoLoadPolicy;
  private readonly hookTimeoutMs: number | undefined;
  private readonly drainTimeoutMs: number;
  private readonly emitter = new TypedEmitter<PluginLoaderEvents>();
  private readonly queue = new OperationQueue();
  private readonly records = new Map<string, PluginRecord>();
  private discovered = new Map<string, DiscoveredPlugin>();
  private problems: DiscoveryProblem[] = [];
  private hasDiscovered = false;
  private readonly manifestCache: ManifestCache = new Map();
  private readonly validationCache = new Map<
    string,
    { fingerprint: string; result: PluginValidationResult }
  >();
  private closed = false;

  constructor(options: PluginLoaderOptions) {
    const directories =
      typeof options.pluginDirectory === 'string' ? [options.pluginDirectory] : options.pluginDirectory;
    if (directories.length === 0) {
      throw new PluginError('INVALID_ARGUMENT', 'pluginDirectory must name at least one directory');
    }
    this.directories = directories.map((directory) => resolve(directory));
    this.validator = options.validator;
    this.runtimeVersion = options.runtimeVersion;
    this.enableAutoLoad = options.enableAutoLoad ?? true;
    const watch = options.watch ?? false;
    this.watchDebounceMs = watch === false ? undefined : watch === true ? 100 : (watch.debounceMs ?? 100);
    this.defaultIsolation = options.defaultIsolation ?? 'none';
    this.maxRiskLevel = options.maxRiskLevel ?? 'high';
    this.cacheValidation = options.cacheValidation ?? true;
    this.autoLoadPolicy = options.autoLoadPolicy ?? 'continue';
    this.hookTimeoutMs = options.hookTimeoutMs;
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  }

  // ---------------------------------------------------------------- events

  /** Listens to a loader event; returns a function that stops listening. */
  on<Name extends keyof PluginLoaderEvents>(
    event: Name,
    listener: EventListener<PluginLoaderEvents[Name]>,
  ): () => void {
    return this.emitter.on(event, listener);
  }

  /** Stops a listener added with {@link PluginLoader.on}. */
  off<Name extends keyof PluginLoaderEvents>(
    event: Name,
    listener: EventListener<PluginLoaderEvents[Name]>,
  ): void {
    this.emitter.off(event, listener);
  }

  // ---------------------------------------------------------------- discovery

  /**
   * Scans the plugin directories and returns the usable plugins and the problems (broken
   * manifests with folder and reason, duplicate ids). Never throws for a bad plugin.
   */
  async discover(): Promise<DiscoveryResult> {
    const result = await discoverPluginFolders(this.directories, { cache: this.manifestCache });
    this.discovered = new Map(result.plugins.map((plugin) => [plugin.metadata.plugin_id, plugin]));
    this.problems = result.problems;
    this.hasDiscovered = true;
    return result;
  }

  /** Scans the plugin directories and returns every usable plugin's manifest (the seed's `discover_plugins`). */
  async discoverPlugins(): Promise<PluginMetadata[]> {
    const result = await this.discover();
    return result.plugins.map((plugin) => plugin.metadata);
  }

  /** The problems found by the last discovery: folders that could not be used, and why. */
  getDiscoveryProblems(): DiscoveryProblem[] {
    return [...this.problems];
  }

  /**
   * The discovered versions of a plugin (zero or one manifest: one folder per id), so the loader
   * can serve as a source for @agentplug/version's resolver.
   */
  getVersions(pluginId: string): PluginMetadata[] {
    const found = this.discovered.get(pluginId);
    return found ? [found.metadata] : [];
  }

  // ---------------------------------------------------------------- state

  /** The live state of a plugin, or undefined when it is not loaded (or was unloaded). */
  getPluginState(pluginId: string): PluginState | undefined {
    return this.records.get(pluginId)?.state;
  }

  /** The states of the plugins the loader holds, by plugin id, optionally filtered by status and type. */
  listPlugins(options: ListPluginsOptions = {}): PluginState[] {
    return [...this.records.values()]
      .map((record) => record.state)
      .filter((state) => options.status === undefined || state.status === options.status)
      .filter((state) => options.type === undefined || state.metadata.plugin_type === options.type)
      .sort((left, right) => left.metadata.plugin_id.localeCompare(right.metadata.plugin_id));
  }

  /** Every capability of every ACTIVE plugin, with its JSON Schema, by plugin id. */
  listCapabilities(): ActiveCapability[] {
    const capabilities: ActiveCapability[] = [];
    for (const state of this.listPlugins({ status: 'active' })) {
      for (const capability of state.metadata.capabilities) {
        capabilities.push({ pluginId: state.metadata.plugin_id, capability });
      }
    }
    return capabilities;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Loads a plugin: UNLOADED → LOADING → LOADED, or FAILED with the error kept in the state.
   * Validates (when asked and a validator is set), checks runtime compatibility, loads required
   * dependencies first, merges and checks the configuration, imports the entry module,
   * instantiates the plugin and awaits `initialize()`.
   *
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION (already loaded or FAILED)
   * @throws PluginValidationError VALIDATION_FAILED, carrying the validation result
   * @throws PluginLoadError with code CONFIG_INVALID, INCOMPATIBLE, DEPENDENCY_UNRESOLVED, DEPENDENCY_CYCLE, ENTRY_NOT_FOUND, ENTRY_INVALID, LOAD_FAILED, HOOK_FAILED, MANIFEST_*
   */
  loadPlugin(pluginId: string, options: LoadPluginOptions = {}): Promise<PluginState> {
    return this.queue.run(pluginId, () => this.loadNow(pluginId, options, []));
  }

  /**
   * Activates a plugin: LOADED or INACTIVE → ACTIVE, calling `activate()`; a hook that throws
   * leaves it FAILED.
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION; PluginLoadError HOOK_FAILED
   */
  activatePlugin(pluginId: string): Promise<PluginState> {
    return this.queue.run(pluginId, () => this.activateNow(pluginId));
  }

  /**
   * Deactivates a plugin: ACTIVE → INACTIVE, calling `deactivate()` (a LOADED plugin moves to
   * INACTIVE without a hook, as the seed's diagram draws); a hook that throws leaves it FAILED.
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION; PluginLoadError HOOK_FAILED
   */
  deactivatePlugin(pluginId: string): Promise<PluginState> {
    return this.queue.run(pluginId, () => this.deactivateNow(pluginId));
  }

  /**
   * Unloads a plugin: (deactivating it first when ACTIVE) UNLOADING → UNLOADED, calling
   * `cleanup()`; its state is then forgotten. A FAILED plugin is unloaded the same way. Refuses
   * while a loaded plugin requires it, unless `cascade` unloads those first.
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION, DEPENDENTS_LOADED; PluginLoadError HOOK_FAILED
   */
  async unloadPlugin(pluginId: string, options: UnloadPluginOptions = {}): Promise<void> {
    const dependents = this.findDependents(pluginId);
    if (dependents.length > 0) {
      if (!options.cascade) {
        throw new PluginError(
          'DEPENDENTS_LOADED',
          `cannot unload ${pluginId}: ${dependents.join(', ')} ${dependents.length === 1 ? 'depends' : 'depend'} on it`,
          { details: { pluginId, dependents } },
        );
      }
      for (const dependent of dependents) {
        if (this.records.has(dependent)) await this.unloadPlugin(dependent, { cascade: true });
      }
    }
    await this.queue.run(pluginId, () => this.unloadNow(pluginId));
  }

  /**
   * Reloads a plugin with the same caller configuration and brings it back to the same status.
   * The new code is imported, instantiated and initialised first; only then do in-flight
   * invocations finish on the old instance, which is deactivated and cleaned up before the swap.
   * If the new code fails, the old instance keeps serving, the error is kept in `state.error` and
   * reported by a `reload` event, and the returned promise rejects. A FAILED plugin is unloaded
   * and loaded again.
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION, and whatever {@link PluginLoader.loadPlugin} throws
   */
  reloadPlugin(pluginId: string, options: ReloadPluginOptions = {}): Promise<PluginState> {
    return this.queue.run(pluginId, () => this.reloadNow(pluginId, options, false));
  }

  /**
   * Loads and activates the plugins whose config.json says `enabled` and `auto_load`, in
   * dependency order, then by `priority` (higher first). One failure does not stop the others
   * unless the policy is `"abort"`. Does nothing when the loader was created with
   * `enableAutoLoad: false`.
   */
  async autoLoadPlugins(options: AutoLoadOptions = {}): Promise<AutoLoadResult> {
    const result: AutoLoadResult = { loaded: [], failed: [], skipped: [] };
    if (!this.enableAutoLoad) return result;
    const policy = options.policy ?? this.autoLoadPolicy;
    const discovery = await this.discover();
    const candidates: Array<{ pluginId: string; priority: number; dependsOn: string[] }> = [];
    await Promise.all(
      discovery.plugins.map(async (plugin) => {
        try {
          const fileConfig = await readConfig(plugin.pluginPath);
          if (!fileConfig?.enabled || !fileConfig.auto_load) return;
          candidates.push({
            pluginId: plugin.metadata.plugin_id,
            priority: fileConfig.priority,
            dependsOn: plugin.metadata.dependencies
              .filter((dependency) => !dependency.optional)
              .map((dependency) => dependency.plugin_id),
          });
        } catch (error) {
          result.failed.push({
            pluginId: plugin.metadata.plugin_id,
            error: asLoadError(plugin.metadata.plugin_id, error, 'CONFIG_INVALID'),
          });
        }
      }),
    );
    const { order, cyclic } = orderForAutoLoad(candidates);
    for (const pluginId of cyclic.sort()) {
      result.failed.push({
        pluginId,
        error: new PluginLoadError(pluginId, `cannot auto-load ${pluginId}: it is on a dependency cycle`, {
          code: 'DEPENDENCY_CYCLE',
          details: { cyclic },
        }),
      });
    }
    if (policy === 'abort' && result.failed.length > 0) {
      result.skipped.push(...order);
      return result;
    }
    for (const [index, pluginId] of order.entries()) {
      try {
        const status = this.records.get(pluginId)?.state.status;
        if (status === undefined || status === 'unloaded') await this.loadPlugin(pluginId);
        const current = this.records.get(pluginId)?.state.status;
        if (current !== 'active') await this.activatePlugin(pluginId);
        result.loaded.push(this.records.get(pluginId)!.state);
      } catch (error) {
        result.failed.push({ pluginId, error: error instanceof Error ? error : new Error(String(error)) });
        if (policy === 'abort') {
          result.skipped.push(...order.slice(index + 1));
          break;
        }
      }
    }
    return result;
  }

  // ---------------------------------------------------------------- invoke

  /**
   * Calls a capability of an ACTIVE plugin: the capability must be declared in the manifest and
   * implemented; `params` is checked against its JSON Schema (compiled once; defaults filled in a
   * copy) and passed as the one argument. Errors thrown by the plugin reach the caller unchanged.
   * During a reload the call waits for the swap and runs on the new instance.
   * @throws PluginError PLUGIN_NOT_FOUND, NOT_ACTIVE, CAPABILITY_NOT_FOUND, INVALID_PARAMS, TIMEOUT, ABORTED
   */
  invoke(
    pluginId: string,
    capability: string,
    params: unknown = {},
    options: InvokeOptions = {},
  ): Promise<unknown> {
    const record = this.records.get(pluginId);
    if (record === undefined) {
      const code = this.discovered.has(pluginId) ? 'NOT_ACTIVE' : 'PLUGIN_NOT_FOUND';
      return Promise.reject(
        new PluginError(code, `cannot invoke ${pluginId}.${capability}: ${pluginId} is not loaded`, {
          details: { pluginId, capability },
        }),
      );
    }
    if (record.gate !== null)
      return record.gate.then(() => this.invoke(pluginId, capability, params, options));
    const host = record.host;
    if (record.state.status !== 'active' || host === null) {
      return Promise.reject(
        new PluginError(
          'NOT_ACTIVE',
          `cannot invoke ${pluginId}.${capability}: ${pluginId} is ${record.state.status}`,
          {
            details: { pluginId, capability, status: record.state.status },
          },
        ),
      );
    }
    const declared = record.capabilities.get(capability);
    if (declared === undefined || !host.hasMethod(capability)) {
      return Promise.reject(
        new PluginError(
          'CAPABILITY_NOT_FOUND',
          declared === undefined
            ? `${pluginId} declares no capability ${capability} (it has: ${[...record.capabilities.keys()].join(', ') || 'none'})`
            : `${pluginId} declares ${capability} but its instance has no such method`,
          { details: { pluginId, capability } },
        ),
      );
    }
    let schema = record.paramSchemas.get(capability);
    if (schema === undefined) {
      try {
        schema = compileJsonSchema(declared.parameters, { errorCode: 'INVALID_PARAMS' });
      } catch (error) {
        return Promise.reject(error);
      }
      record.paramSchemas.set(capability, schema);
    }
    const value =
      schema.fillsDefaults && typeof params === 'object' && params !== null
        ? structuredClone(params)
        : params;
    const issues = schema.check(value);
    if (issues.length > 0) {
      return Promise.reject(
        new PluginError(
          'INVALID_PARAMS',
          `invalid params for ${pluginId}.${capability}:\n${formatSchemaIssues(issues)}`,
          {
            details: { pluginId, capability, issues },
          },
        ),
      );
    }
    record.inFlight += 1;
    const settle = (): void => {
      record.inFlight -= 1;
      if (record.inFlight === 0 && record.idleWaiters.length > 0) {
        for (const wake of record.idleWaiters.splice(0)) wake();
      }
    };
    let call: Promise<unknown>;
    try {
      call = host.call(capability, [value], options);
    } catch (error) {
      settle();
      return Promise.reject(error);
    }
    return call.then(
      (result) => {
        settle();
        return result;
      },
      (error: unknown) => {
        settle();
        throw error;
      },
    );
  }

  // ---------------------------------------------------------------- close

  /** Stops every watcher and unloads every plugin (dependents first). Errors of hooks are swallowed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const record of this.records.values()) {
      record.watch?.close();
      record.watch = null;
    }
    // Two passes: a cleanup() that throws leaves its plugin FAILED, and FAILED unloads cleanly.
    for (let pass = 0; pass < 2 && this.records.size > 0; pass += 1) {
      for (const pluginId of [...this.records.keys()].reverse()) {
        if (!this.records.has(pluginId)) continue;
        await this.unloadPlugin(pluginId, { cascade: true }).catch(() => undefined);
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private emitTransition(record: PluginRecord, to: PluginStatus, startedAt: number, error?: Error): void {
    const from = record.state.status;
    assertTransition({ pluginId: record.pluginId, from, to, operation: `move to ${to}` });
    const at = new Date();
    record.state.status = to;
    record.state.updatedAt = at;
    if (error !== undefined) record.state.error = error;
    this.emitter.emit('stateChange', {
      pluginId: record.pluginId,
      from,
      to,
      at,
      durationMs: performance.now() - startedAt,
      ...(error === undefined ? {} : { error }),
    });
  }

  private requireRecord(pluginId: string, operation: string, to: PluginStatus): PluginRecord {
    const record = this.records.get(pluginId);
    if (record !== undefined) return record;
    if (this.discovered.has(pluginId)) {
      assertTransition({ pluginId, from: 'unloaded', to, operation });
    }
    throw new PluginError('PLUGIN_NOT_FOUND', `cannot ${operation} ${pluginId}: no such plugin is loaded`, {
      details: { pluginId },
    });
  }

  private async findDiscovered(pluginId: string): Promise<DiscoveredPlugin> {
    let found = this.discovered.get(pluginId);
    if (found === undefined && !this.closed) {
      await this.discover();
      found = this.discovered.get(pluginId);
    }
    if (found === undefined) {
      throw new PluginError(
        'PLUGIN_NOT_FOUND',
        `no plugin ${pluginId} in ${this.directories.join(', ')}${this.hasDiscovered ? '' : ' (not discovered yet)'}`,
        { details: { pluginId, directories: this.directories } },
      );
    }
    return found;
  }

  private findDependents(pluginId: string): string[] {
    const dependents: string[] = [];
    for (const record of this.records.values()) {
      if (record.pluginId === pluginId || record.state.status === 'failed') continue;
      const requires = record.state.metadata.dependencies.some(
        (dependency) => dependency.plugin_id === pluginId && !dependency.optional,
      );
      if (requires) dependents.push(record.pluginId);
    }
    return dependents.sort();
  }

  private async loadNow(
    pluginId: string,
    options: LoadPluginOptions,
    ancestors: readonly string[],
  ): Promise<PluginState> {
    if (this.closed)
      throw new PluginError('INVALID_ARGUMENT', `cannot load ${pluginId}: the loader is closed`);
    const discovered = await this.findDiscovered(pluginId);
    const existing = this.records.get(pluginId);
    if (existing !== undefined) {
      assertTransition({ pluginId, from: existing.state.status, to: 'loading', operation: 'load' });
    }
    const now = new Date();
    const record: PluginRecord = {
      pluginId,
      state: {
        metadata: discovered.metadata,
        status: 'unloaded',
        // Replaced by the resolved configuration once the load gets that far.
        config: {
          plugin_id: pluginId,
          enabled: true,
          auto_load: false,
          priority: 0,
          config: {},
          sandbox_config_override: {},
        },
        instance: null,
        error: null,
        pluginPath: discovered.pluginPath,
        loadedAt: null,
        activatedAt: null,
        updatedAt: now,
      },
      host: null,
      callerConfig: options.config,
      isolation: options.isolation,
      validate: options.validate ?? true,
      capabilities: new Map(),
      paramSchemas: new Map(),
      inFlight: 0,
      idleWaiters: [],
      gate: null,
      watch: null,
    };
    this.records.set(pluginId, record);
    const startedAt = performance.now();
    this.emitTransition(record, 'loading', startedAt);
    let prepared: PreparedPlugin;
    try {
      prepared = await this.prepare(record, { metadata: discovered.metadata, ancestors });
    } catch (error) {
      const failure = asLoadError(pluginId, error, 'LOAD_FAILED');
      this.emitTransition(record, 'failed', startedAt, failure);
      // Watched too, so that fixing the files brings the plugin up without a restart.
      this.startWatch(record);
      throw failure;
    }
    this.applyPrepared(record, prepared);
    this.emitTransition(record, 'loaded', startedAt);
    this.startWatch(record);
    return record.state;
  }

  /** Everything a load does before the swap: nothing here touches the record's state. */
  private async prepare(
    record: PluginRecord,
    context: { metadata: PluginMetadata; ancestors: readonly string[] },
  ): Promise<PreparedPlugin> {
    const { pluginId } = record;
    const { metadata, ancestors } = context;
    const pluginPath = record.state.pluginPath;
    const fileConfig = await readConfig(pluginPath);
    const config = resolvePluginConfig({ metadata, fileConfig, callerConfig: record.callerConfig });
    if (record.validate && this.validator !== undefined) await this.validatePlugin(pluginPath, metadata);
    const order = await resolveLoadOrder(metadata, {
      getVersions: (id) => this.getVersions(id),
      runtimeVersion: this.runtimeVersion,
    });
    for (const dependencyId of order) await this.ensureDependency(dependencyId, [...ancestors, pluginId]);
    const entryModulePath = await resolveEntryPoint(pluginPath, metadata.entry_point);
    const isolation = record.isolation ?? config.sandbox_config_override.isolation ?? this.defaultIsolation;
    const sandbox = SandboxConfigSchema.parse({ ...config.sandbox_config_override, isolation });
    const createHost = this.hostFactoryFor(isolation, pluginId);
    const host = await createHost({
      pluginId,
      pluginPath,
      entryModulePath,
      metadata,
      config: config.config,
      permissions: metadata.permissions,
      sandbox,
      onPermissionEvent: (event) => this.emitter.emit('permission', event),
      onCrash: (error) => this.handleCrash(pluginId, host, error),
    });
    try {
      await host.callHook('initialize', this.hookLimits());
    } catch (error) {
      await host.dispose().catch(() => undefined);
      throw hookError(pluginId, 'initialize', error);
    }
    return { metadata, config, host };
  }

  private hostFactoryFor(isolation: IsolationMode, pluginId: string): HostFactory {
    if (isolation === 'none') return createInProcessHost;
    if (isolation === 'worker') return createWorkerHost;
    throw new PluginError(
      'INVALID_ARGUMENT',
      `cannot load ${pluginId}: unknown isolation "${String(isolation)}"`,
      {
        details: { pluginId, isolation },
      },
    );
  }

  private hookLimits(): PluginCallOptions {
    return this.hookTimeoutMs === undefined ? {} : { timeoutMs: this.hookTimeoutMs };
  }

  private applyPrepared(record: PluginRecord, prepared: PreparedPlugin): void {
    record.host = prepared.host;
    record.state.metadata = prepared.metadata;
    record.state.config = prepared.config;
    record.state.instance = prepared.host.instance;
    record.state.error = null;
    record.state.loadedAt = new Date();
    record.capabilities = new Map(
      prepared.metadata.capabilities.map((capability) => [capability.name, capability]),
    );
    record.paramSchemas = new Map();
  }

  private async validatePlugin(pluginPath: string, metadata: PluginMetadata): Promise<void> {
    const validator = this.validator!;
    let result: PluginValidationResult | undefined;
    let fingerprint: string | undefined;
    if (this.cacheValidation) {
      fingerprint = await fingerprintFolder(pluginPath);
      const cached = this.validationCache.get(pluginPath);
      if (cached?.fingerprint === fingerprint) result = cached.result;
    }
    if (result === undefined) {
      try {
        result = await validator.validatePlugin(pluginPath, metadata);
      } catch (error) {
        throw new PluginLoadError(
          metadata.plugin_id,
          `the validator failed on ${metadata.plugin_id}: ${describe(error)}`,
          {
            code: 'VALIDATION_FAILED',
            cause: error,
          },
        );
      }
      if (fingerprint !== undefined) this.validationCache.set(pluginPath, { fingerprint, result });
    }
    const tooRisky = isRiskAbove(result.riskLevel, this.maxRiskLevel);
    if (!result.valid || tooRisky) {
      const reasons = result.valid
        ? [
            `risk level ${result.riskLevel} (security score ${result.securityScore}) is above the allowed ${this.maxRiskLevel}`,
          ]
        : result.errors;
      throw new PluginValidationError(
        `${metadata.plugin_id} failed validation:\n${reasons.map((reason) => `- ${reason}`).join('\n')}`,
        result,
        { details: { pluginId: metadata.plugin_id, pluginPath } },
      );
    }
  }

  private async ensureDependency(dependencyId: string, ancestors: readonly string[]): Promise<void> {
    if (ancestors.includes(dependencyId)) {
      const cycle = [...ancestors.slice(ancestors.indexOf(dependencyId)), dependencyId];
      throw new PluginError(
        'DEPENDENCY_CYCLE',
        `plugins depend on each other in a cycle: ${cycle.join(' → ')}`,
        {
          details: { cycle },
        },
      );
    }
    await this.queue.run(dependencyId, async () => {
      const status = this.records.get(dependencyId)?.state.status;
      if (status !== undefined && SETTLED_STATUSES.has(status)) return;
      if (status === undefined) {
        try {
          await this.loadNow(dependencyId, {}, ancestors);
        } catch (error) {
          throw new PluginError(
            'DEPENDENCY_UNRESOLVED',
            `required dependency ${dependencyId} failed to load: ${describe(error)}`,
            { details: { dependency: dependencyId }, cause: error },
          );
        }
        return;
      }
      throw new PluginError('DEPENDENCY_UNRESOLVED', `required dependency ${dependencyId} is ${status}`, {
        details: { dependency: dependencyId, status },
      });
    });
  }

  private async activateNow(pluginId: string): Promise<PluginState> {
    const record = this.requireRecord(pluginId, 'activate', 'active');
    assertTransition({ pluginId, from: record.state.status, to: 'active', operation: 'activate' });
    const startedAt = performance.now();
    try {
      await record.host!.callHook('activate', this.hookLimits());
    } catch (error) {
      this.emitTransition(record, 'failed', startedAt, hookError(pluginId, 'activate', error));
      throw record.state.error;
    }
    record.state.activatedAt = new Date();
    this.emitTransition(record, 'active', startedAt);
    this.emitter.emit('capabilitiesChanged', { pluginId, reason: 'activate' });
    return record.state;
  }

  private async deactivateNow(pluginId: string): Promise<PluginState> {
    const record = this.requireRecord(pluginId, 'deactivate', 'inactive');
    const from = record.state.status;
    assertTransition({ pluginId, from, to: 'inactive', operation: 'deactivate' });
    await this.deactivateRecord(record);
    return record.state;
  }

  private async deactivateRecord(record: PluginRecord): Promise<void> {
    const wasActive = record.state.status === 'active';
    const startedAt = performance.now();
    if (wasActive) {
      try {
        await record.host!.callHook('deactivate', this.hookLimits());
      } catch (error) {
        this.emitTransition(record, 'failed', startedAt, hookError(record.pluginId, 'deactivate', error));
        this.emitter.emit('capabilitiesChanged', { pluginId: record.pluginId, reason: 'failed' });
        throw record.state.error;
      }
    }
    this.emitTransition(record, 'inactive', startedAt);
    if (wasActive)
      this.emitter.emit('capabilitiesChanged', { pluginId: record.pluginId, reason: 'deactivate' });
  }

  private async unloadNow(pluginId: string): Promise<void> {
    const record = this.requireRecord(pluginId, 'unload', 'unloading');
    if (record.state.status === 'active') await this.deactivateRecord(record);
    const from = record.state.status;
    assertTransition({ pluginId, from, to: 'unloading', operation: 'unload' });
    record.watch?.close();
    record.watch = null;
    this.emitTransition(record, 'unloading', performance.now());
    const startedAt = performance.now();
    const host = record.host;
    let failure: PluginError | undefined;
    if (host !== null) {
      try {
        await host.callHook('cleanup', this.hookLimits());
      } catch (error) {
        // A FAILED plugin is being thrown away: its cleanup is best effort.
        if (from !== 'failed') failure = hookError(pluginId, 'cleanup', error);
      }
      await host.dispose().catch(() => undefined);
    }
    record.host = null;
    record.state.instance = null;
    if (failure !== undefined) {
      this.emitTransition(record, 'failed', startedAt, failure);
      throw failure;
    }
    this.emitTransition(record, 'unloaded', startedAt);
    this.records.delete(pluginId);
    this.emitter.emit('capabilitiesChanged', { pluginId, reason: 'unload' });
  }

  /** Tells listeners how a reload ended: `ok` unless an error is given. */
  private emitReload(outcome: {
    pluginId: string;
    triggeredByWatcher: boolean;
    startedAt: number;
    error?: Error;
  }): void {
    const { pluginId, triggeredByWatcher, startedAt, error } = outcome;
    const durationMs = performance.now() - startedAt;
    if (error === undefined)
      this.emitter.emit('reload', { pluginId, ok: true, triggeredByWatcher, durationMs });
    else this.emitter.emit('reload', { pluginId, ok: false, error, triggeredByWatcher, durationMs });
  }

  private async reloadNow(
    pluginId: string,
    options: ReloadPluginOptions,
    triggeredByWatcher: boolean,
  ): Promise<PluginState> {
    const record = this.requireRecord(pluginId, 'reload', 'unloading');
    const startedAt = performance.now();
    const previous = record.state.status;
    if (previous === 'failed') {
      const { callerConfig, isolation } = record;
      try {
        await this.unloadNow(pluginId);
        const state = await this.loadNow(
          pluginId,
          { config: callerConfig, isolation, validate: options.validate },
          [],
        );
        this.emitReload({ pluginId, triggeredByWatcher, startedAt });
        return state;
      } catch (error) {
        const failure = error instanceof Error ? error : new Error(String(error));
        this.emitReload({ pluginId, triggeredByWatcher, startedAt, error: failure });
        throw failure;
      }
    }
    if (!SETTLED_STATUSES.has(previous)) {
      assertTransition({ pluginId, from: previous, to: 'loading', operation: 'reload' });
    }
    const validate = record.validate;
    record.validate = options.validate ?? true;
    let prepared: PreparedPlugin;
    try {
      const { manifest } = await readManifest(record.state.pluginPath);
      if (manifest.plugin_id !== pluginId) {
        throw new PluginError(
          'MANIFEST_INVALID',
          `plugin.json now declares ${manifest.plugin_id} instead of ${pluginId}`,
          {
            details: { pluginId, declared: manifest.plugin_id },
          },
        );
      }
      prepared = await this.prepare(record, { metadata: manifest, ancestors: [] });
    } catch (error) {
      record.validate = validate;
      const failure = asLoadError(pluginId, error, 'LOAD_FAILED');
      record.state.error = failure;
      record.state.updatedAt = new Date();
      this.emitReload({ pluginId, triggeredByWatcher, startedAt, error: failure });
      throw failure;
    }
    const discovered = this.discovered.get(pluginId);
    if (discovered !== undefined) discovered.metadata = prepared.metadata;
    let openGate: () => void = () => undefined;
    record.gate = new Promise<void>((resolveGate) => {
      openGate = resolveGate;
    });
    try {
      await this.swap(record, prepared, previous);
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      // The old instance is already retired: whatever it offered is gone.
      if (previous === 'active') this.emitter.emit('capabilitiesChanged', { pluginId, reason: 'failed' });
      this.emitReload({ pluginId, triggeredByWatcher, startedAt, error: failure });
      throw failure;
    } finally {
      record.gate = null;
      openGate();
    }
    this.emitReload({ pluginId, triggeredByWatcher, startedAt });
    this.emitter.emit('capabilitiesChanged', { pluginId, reason: 'reload' });
    return record.state;
  }

  /** Drains the old instance, retires it through the lifecycle, and brings the new one to `target`. */
  private async swap(record: PluginRecord, prepared: PreparedPlugin, target: PluginStatus): Promise<void> {
    if (record.inFlight > 0) {
      // A call that never settles must not block the reload (and every later operation) forever.
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolveIdle) => {
        record.idleWaiters.push(resolveIdle);
        timer = setTimeout(resolveIdle, this.drainTimeoutMs);
      });
      clearTimeout(timer);
    }
    const old = record.host;
    let startedAt = performance.now();
    if (record.state.status === 'active') {
      // The old instance is retired whatever its hooks do: their failures do not stop the swap.
      await old?.callHook('deactivate', this.hookLimits()).catch(() => undefined);
      this.emitTransition(record, 'inactive', startedAt);
    }
    if (record.state.status === 'loaded' || record.state.status === 'inactive') {
      this.emitTransition(record, 'unloading', performance.now());
    }
    startedAt = performance.now();
    await old?.callHook('cleanup', this.hookLimits()).catch(() => undefined);
    await old?.dispose().catch(() => undefined);
    record.host = null;
    this.emitTransition(record, 'unloaded', startedAt);
    this.emitTransition(record, 'loading', performance.now());
    this.applyPrepared(record, prepared);
    this.emitTransition(record, 'loaded', startedAt);
    if (target === 'active') {
      startedAt = performance.now();
      try {
        await prepared.host.callHook('activate', this.hookLimits());
      } catch (error) {
        this.emitTransition(record, 'failed', startedAt, hookError(record.pluginId, 'activate', error));
        throw record.state.error;
      }
      record.state.activatedAt = new Date();
      this.emitTransition(record, 'active', startedAt);
    } else if (target === 'inactive') {
      this.emitTransition(record, 'inactive', performance.now());
    }
  }

  private startWatch(record: PluginRecord): void {
    if (this.watchDebounceMs === undefined || record.watch !== null || this.closed) return;
    const { pluginId } = record;
    record.watch = watchPluginFolder(record.state.pluginPath, {
      debounceMs: this.watchDebounceMs,
      onChange: () => {
        if (this.records.get(pluginId) !== record || this.closed) return;
        // The outcome is reported by the 'reload' event; nobody awaits this promise.
        this.queue
          .run(pluginId, async () => {
            if (this.records.get(pluginId) !== record || this.closed) return;
            await this.reloadNow(pluginId, { validate: record.validate }, true);
          })
          .catch(() => undefined);
      },
    });
  }

  private handleCrash(pluginId: string, host: PluginHost | undefined, error: Error): void {
    void this.queue.run(pluginId, async () => {
      const record = this.records.get(pluginId);
      if (record === undefined || host === undefined || record.host !== host) return;
      const status = record.state.status;
      if (status === 'failed' || status === 'unloading' || status === 'loading') return;
      const wasActive = status === 'active';
      const failure = PluginError.is(error)
        ? error
        : new PluginError('WORKER_CRASHED', `${pluginId} crashed: ${error.message}`, {
            cause: error,
            details: { pluginId },
          });
      this.emitTransition(record, 'failed', performance.now(), failure);
      if (wasActive) this.emitter.emit('capabilitiesChanged', { pluginId, reason: 'failed' });
    });
  }
}
