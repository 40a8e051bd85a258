import { resolve } from 'node:path';
import {
  type IsolationMode,
  PluginError,
  type PluginMetadata,
  type PluginRevocation,
  type PluginState,
  type PluginStatus,
  resolvePluginConfig,
} from '@agentplug/models';
import { runAutoLoad } from '../auto-load/run-auto-load';
import { type OperatorConfigLocation, readConfigLayers } from '../config/read-config-layers';
import {
  type DiscoveredPlugin,
  type DiscoveryProblem,
  type DiscoveryResult,
  discoverPluginFolders,
  type ManifestCache,
} from '../discovery/discover-plugins';
import { describeError, toError, toLoadError } from '../errors/loader-errors';
import type { PluginLoaderEvents } from '../events/plugin-loader-events';
import { type EventListener, TypedEmitter } from '../events/typed-emitter';
import type { PluginCallOptions, PluginHost, ProcessSandboxOptions } from '../host/plugin-host';
import { reloadInPlace, reportReload } from '../hot-reload/hot-swap';
import { watchPluginFolder } from '../hot-reload/watch-plugin-folder';
import { ManagedPlugin } from '../lifecycle/managed-plugin';
import { assertTransition, SETTLED_STATUSES } from '../lifecycle/transitions';
import { RevocationGate } from '../validation/revocation-gate';
import { ValidationGate } from '../validation/validation-gate';
import { OperationQueue } from './operation-queue';
import type {
  ActiveCapability,
  AutoLoadOptions,
  AutoLoadPolicy,
  AutoLoadResult,
  InvokeOptions,
  ListPluginsOptions,
  LoadPluginOptions,
  PluginLoaderOptions,
  ReloadPluginOptions,
  UnloadPluginOptions,
} from './plugin-loader-options';
import { type PreparedPlugin, preparePlugin } from './prepare-plugin';

/**
 * Discovers, validates, loads, activates, hot-reloads and unloads plugins: the seed's
 * PluginLoader. Operations on one plugin are serialised; operations on different plugins run
 * concurrently. A thin facade: each plugin it holds is a `ManagedPlugin` (its state, host and
 * transitions); loading is `preparePlugin`, reloading `reloadInPlace`, auto-load `runAutoLoad`.
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
  private readonly validationGate: ValidationGate | undefined;
  private readonly revocationGate: RevocationGate;
  private readonly runtimeVersion: string | undefined;
  private readonly enableAutoLoad: boolean;
  private readonly watchDebounceMs: number | undefined;
  private readonly defaultIsolation: IsolationMode;
  private readonly processSandbox: ProcessSandboxOptions | undefined;
  private readonly autoLoadPolicy: AutoLoadPolicy;
  private readonly hookLimits: PluginCallOptions;
  private readonly drainTimeoutMs: number;
  private readonly operatorConfigLocation: OperatorConfigLocation;
  private readonly emitter = new TypedEmitter<PluginLoaderEvents>();
  private readonly queue = new OperationQueue();
  private readonly plugins = new Map<string, ManagedPlugin>();
  private discovered = new Map<string, DiscoveredPlugin>();
  private problems: DiscoveryProblem[] = [];
  private hasDiscovered = false;
  private readonly manifestCache: ManifestCache = new Map();
  private closed = false;

  constructor(options: PluginLoaderOptions) {
    const directories =
      typeof options.pluginDirectory === 'string' ? [options.pluginDirectory] : options.pluginDirectory;
    if (directories.length === 0) {
      throw new PluginError('INVALID_ARGUMENT', 'pluginDirectory must name at least one directory');
    }
    this.directories = directories.map((directory) => resolve(directory));
    this.validationGate =
      options.validator === undefined
        ? undefined
        : new ValidationGate({
            validator: options.validator,
            maxRiskLevel: options.maxRiskLevel ?? 'high',
            cacheValidation: options.cacheValidation ?? true,
          });
    this.revocationGate = new RevocationGate({
      refuseAt: options.refuseRevoked ?? 'critical',
      revocations: options.revocations ?? [],
    });
    this.runtimeVersion = options.runtimeVersion;
    this.enableAutoLoad = options.enableAutoLoad ?? true;
    const watch = options.watch ?? false;
    this.watchDebounceMs = watch === false ? undefined : watch === true ? 100 : (watch.debounceMs ?? 100);
    this.defaultIsolation = options.defaultIsolation ?? 'none';
    this.processSandbox = options.processSandbox;
    this.autoLoadPolicy = options.autoLoadPolicy ?? 'continue';
    this.hookLimits = Object.freeze(
      options.hookTimeoutMs === undefined ? {} : { timeoutMs: options.hookTimeoutMs },
    );
    this.drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
    this.operatorConfigLocation =
      typeof options.operatorConfigDirectory === 'string'
        ? resolve(options.operatorConfigDirectory)
        : options.operatorConfigDirectory;
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
    return this.plugins.get(pluginId)?.state;
  }

  /** The states of the plugins the loader holds, by plugin id, optionally filtered by status and type. */
  listPlugins(options: ListPluginsOptions = {}): PluginState[] {
    return [...this.plugins.values()]
      .map((plugin) => plugin.state)
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
    return this.queue.run(pluginId, async () => {
      const plugin = this.requirePlugin(pluginId, 'activate', 'active');
      await plugin.activate();
      return plugin.state;
    });
  }

  /**
   * Deactivates a plugin: ACTIVE → INACTIVE, calling `deactivate()` (a LOADED plugin moves to
   * INACTIVE without a hook, as the seed's diagram draws); a hook that throws leaves it FAILED.
   * @throws PluginError PLUGIN_NOT_FOUND, INVALID_TRANSITION; PluginLoadError HOOK_FAILED
   */
  deactivatePlugin(pluginId: string): Promise<PluginState> {
    return this.queue.run(pluginId, async () => {
      const plugin = this.requirePlugin(pluginId, 'deactivate', 'inactive');
      await plugin.deactivate();
      return plugin.state;
    });
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
        if (this.plugins.has(dependent)) await this.unloadPlugin(dependent, { cascade: true });
      }
    }
    await this.queue.run(pluginId, () => this.unloadNow(pluginId));
  }

  /**
   * Enforces revocations on plugins already loaded: replaces the host's list (when given), reads
   * each plugin directory's revocation record again, and unloads every loaded plugin whose version
   * is now refused (with the plugins that depend on it). Later loads of those versions fail with
   * PLUGIN_REVOKED. Returns the revocations that unloaded a plugin.
   * @throws PluginError CONFIG_INVALID when a revocation record is damaged; PluginLoadError HOOK_FAILED from cleanup
   * @example
   * await loader.applyRevocations(await registry.checkRevocations());
   */
  async applyRevocations(revocations?: readonly PluginRevocation[]): Promise<PluginRevocation[]> {
    if (revocations !== undefined) this.revocationGate.setRevocations(revocations);
    const refused: PluginRevocation[] = [];
    for (const plugin of [...this.plugins.values()]) {
      const { metadata, pluginPath } = plugin.state;
      const revocation = await this.revocationGate.find(plugin.pluginId, metadata.version, pluginPath);
      if (revocation === undefined) continue;
      refused.push(revocation);
      if (this.plugins.get(plugin.pluginId) === plugin) {
        await this.unloadPlugin(plugin.pluginId, { cascade: true });
      }
    }
    return refused;
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
   * Loads and activates the plugins whose configuration (shipped config.json under the operator's)
   * says `enabled` and `auto_load`, in dependency order, then by `priority` (higher first). One
   * failure does not stop the others unless the policy is `"abort"`. Returns one entry per plugin
   * taken, `{ pluginId, status: 'active' | 'failed' | 'skipped', error?, state? }`; an empty list
   * when the loader was created with `enableAutoLoad: false`.
   */
  async autoLoadPlugins(options: AutoLoadOptions = {}): Promise<AutoLoadResult> {
    if (!this.enableAutoLoad) return [];
    return runAutoLoad(
      {
        discover: () => this.discover(),
        getPluginState: (pluginId) => this.getPluginState(pluginId),
        loadPlugin: (pluginId) => this.loadPlugin(pluginId),
        activatePlugin: (pluginId) => this.activatePlugin(pluginId),
        resolveConfig: async (plugin) =>
          resolvePluginConfig({
            metadata: plugin.metadata,
            ...(await readConfigLayers(
              plugin.metadata.plugin_id,
              plugin.pluginPath,
              this.operatorConfigLocation,
            )),
          }),
      },
      options.policy ?? this.autoLoadPolicy,
    );
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
    const plugin = this.plugins.get(pluginId);
    if (plugin === undefined) {
      const code = this.discovered.has(pluginId) ? 'NOT_ACTIVE' : 'PLUGIN_NOT_FOUND';
      return Promise.reject(
        new PluginError(code, `cannot invoke ${pluginId}.${capability}: ${pluginId} is not loaded`, {
          details: { pluginId, capability },
        }),
      );
    }
    // A swap holds calls: this one goes, after it, to whatever the loader then holds.
    const held = plugin.calls.whileHeld;
    if (held !== null) return held.then(() => this.invoke(pluginId, capability, params, options));
    return plugin.invoke(capability, params, options);
  }

  // ---------------------------------------------------------------- close

  /** Stops every watcher and unloads every plugin (dependents first). Errors of hooks are swallowed. */
  async close(): Promise<void> {
    this.closed = true;
    for (const plugin of this.plugins.values()) plugin.stopWatching();
    // Two passes: a cleanup() that throws leaves its plugin FAILED, and FAILED unloads cleanly.
    for (let pass = 0; pass < 2 && this.plugins.size > 0; pass += 1) {
      for (const pluginId of [...this.plugins.keys()].reverse()) {
        if (!this.plugins.has(pluginId)) continue;
        await this.unloadPlugin(pluginId, { cascade: true }).catch(() => undefined);
      }
    }
  }

  // ---------------------------------------------------------------- internals

  private requirePlugin(pluginId: string, operation: string, to: PluginStatus): ManagedPlugin {
    const plugin = this.plugins.get(pluginId);
    if (plugin !== undefined) return plugin;
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
    for (const plugin of this.plugins.values()) {
      if (plugin.pluginId === pluginId || plugin.state.status === 'failed') continue;
      const requires = plugin.state.metadata.dependencies.some(
        (dependency) => dependency.plugin_id === pluginId && !dependency.optional,
      );
      if (requires) dependents.push(plugin.pluginId);
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
    const existing = this.plugins.get(pluginId);
    if (existing !== undefined) {
      assertTransition({ pluginId, from: existing.state.status, to: 'loading', operation: 'load' });
    }
    const plugin = new ManagedPlugin({ emitter: this.emitter, hookLimits: this.hookLimits }, discovered, {
      callerConfig: options.config,
      isolation: options.isolation,
      validate: options.validate ?? true,
    });
    this.plugins.set(pluginId, plugin);
    const startedAt = performance.now();
    plugin.moveTo('loading', startedAt);
    let prepared: PreparedPlugin;
    try {
      prepared = await this.prepare(plugin, discovered.metadata, ancestors);
    } catch (error) {
      const failure = toLoadError(pluginId, error, 'LOAD_FAILED');
      plugin.moveTo('failed', startedAt, failure);
      // Watched too, so that fixing the files brings the plugin up without a restart.
      this.startWatch(plugin);
      throw failure;
    }
    plugin.adopt(prepared);
    plugin.moveTo('loaded', startedAt);
    this.startWatch(plugin);
    return plugin.state;
  }

  /** Runs the load pipeline for `plugin` with this loader's settings and services. */
  private prepare(
    plugin: ManagedPlugin,
    metadata: PluginMetadata,
    ancestors: readonly string[],
  ): Promise<PreparedPlugin> {
    const { pluginId } = plugin;
    return preparePlugin({
      pluginId,
      pluginPath: plugin.state.pluginPath,
      metadata,
      callerConfig: plugin.callerConfig,
      operatorConfigLocation: this.operatorConfigLocation,
      isolation: plugin.isolation,
      defaultIsolation: this.defaultIsolation,
      processSandbox: this.processSandbox,
      revocationGate: this.revocationGate,
      validationGate: plugin.validate ? this.validationGate : undefined,
      runtimeVersion: this.runtimeVersion,
      hookLimits: this.hookLimits,
      getVersions: (id) => this.getVersions(id),
      ensureDependency: (dependencyId) => this.ensureDependency(dependencyId, [...ancestors, pluginId]),
      onPermissionEvent: (event) => this.emitter.emit('permission', event),
      onCrash: (host, error) => this.handleCrash(pluginId, host, error),
    });
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
      const status = this.plugins.get(dependencyId)?.state.status;
      if (status !== undefined && SETTLED_STATUSES.has(status)) return;
      if (status === undefined) {
        try {
          await this.loadNow(dependencyId, {}, ancestors);
        } catch (error) {
          throw new PluginError(
            'DEPENDENCY_UNRESOLVED',
            `required dependency ${dependencyId} failed to load: ${describeError(error)}`,
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

  private async unloadNow(pluginId: string): Promise<void> {
    const plugin = this.requirePlugin(pluginId, 'unload', 'unloading');
    await plugin.unload();
    this.plugins.delete(pluginId);
    plugin.announce('unload');
  }

  private async reloadNow(
    pluginId: string,
    options: ReloadPluginOptions,
    triggeredByWatcher: boolean,
  ): Promise<PluginState> {
    const plugin = this.requirePlugin(pluginId, 'reload', 'unloading');
    if (plugin.state.status !== 'failed') {
      return reloadInPlace(plugin, {
        emitter: this.emitter,
        validate: options.validate,
        triggeredByWatcher,
        drainTimeoutMs: this.drainTimeoutMs,
        hookLimits: this.hookLimits,
        prepare: async (metadata) => {
          const prepared = await this.prepare(plugin, metadata, []);
          const discovered = this.discovered.get(pluginId);
          if (discovered !== undefined) discovered.metadata = prepared.metadata;
          return prepared;
        },
      });
    }
    // A FAILED plugin has no instance to keep serving: unload it and load it again.
    const startedAt = performance.now();
    try {
      await this.unloadNow(pluginId);
      const state = await this.loadNow(
        pluginId,
        { config: plugin.callerConfig, isolation: plugin.isolation, validate: options.validate },
        [],
      );
      reportReload(this.emitter, { pluginId, triggeredByWatcher, startedAt });
      return state;
    } catch (error) {
      const failure = toError(error);
      reportReload(this.emitter, { pluginId, triggeredByWatcher, startedAt, error: failure });
      throw failure;
    }
  }

  private startWatch(plugin: ManagedPlugin): void {
    if (this.watchDebounceMs === undefined || plugin.watch !== null || this.closed) return;
    const { pluginId } = plugin;
    plugin.watch = watchPluginFolder(plugin.state.pluginPath, {
      debounceMs: this.watchDebounceMs,
      onChange: () => {
        if (this.plugins.get(pluginId) !== plugin || this.closed) return;
        // The outcome is reported by the 'reload' event; nobody awaits this promise.
        this.queue
          .run(pluginId, async () => {
            if (this.plugins.get(pluginId) !== plugin || this.closed) return;
            await this.reloadNow(pluginId, { validate: plugin.validate }, true);
          })
          .catch(() => undefined);
      },
    });
  }

  private handleCrash(pluginId: string, host: PluginHost | undefined, error: Error): void {
    void this.queue.run(pluginId, async () => {
      this.plugins.get(pluginId)?.failFromCrash(host, error);
    });
  }
}
