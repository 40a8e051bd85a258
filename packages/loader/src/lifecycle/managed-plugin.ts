import {
  type IsolationMode,
  type PluginConfigOverride,
  PluginError,
  type PluginState,
  type PluginStatus,
} from '@agentplug/models';
import type { DiscoveredPlugin } from '../discovery/discover-plugins';
import { hookError } from '../errors/loader-errors';
import type { CapabilitiesChangeReason, PluginLoaderEvents } from '../events/plugin-loader-events';
import type { TypedEmitter } from '../events/typed-emitter';
import type { PluginCallOptions, PluginHost } from '../host/plugin-host';
import type { FolderWatch } from '../hot-reload/watch-plugin-folder';
import { CapabilityTable } from '../invoke/capability-table';
import { InFlightTracker } from '../invoke/in-flight-tracker';
import type { PreparedPlugin } from '../loader/prepare-plugin';
import { assertTransition } from './transitions';

/** What every managed plugin shares with its loader: where to report, and the limits of its hooks. */
export interface ManagedPluginContext {
  readonly emitter: TypedEmitter<PluginLoaderEvents>;
  readonly hookLimits: PluginCallOptions;
}

/** How a plugin was asked to load, kept so that a reload brings it back the same way. */
export interface LoadRequest {
  callerConfig: PluginConfigOverride | undefined;
  isolation: IsolationMode | undefined;
  validate: boolean;
}

/**
 * One plugin the loader holds, from its first `loading` until it is unloaded: it owns the
 * plugin's live state, the host of its current instance, its capability table and in-flight
 * calls, and walks the lifecycle table, emitting a `stateChange` for every step. The loader
 * decides what happens and when (one operation per plugin at a time); this object does it.
 */
export class ManagedPlugin {
  readonly pluginId: string;
  /** The live state hosts see through `getPluginState` and `listPlugins`. */
  readonly state: PluginState;
  /** The calls running on the current instance; the hot swap drains them. */
  readonly calls: InFlightTracker = new InFlightTracker();
  readonly callerConfig: PluginConfigOverride | undefined;
  readonly isolation: IsolationMode | undefined;
  /** Whether loads and reloads of this plugin pass the validation gate (a reload may change it). */
  validate: boolean;
  /** The watch of the plugin folder when the loader watches, else null. */
  watch: FolderWatch | null = null;
  private readonly context: ManagedPluginContext;
  private currentHost: PluginHost | null = null;
  private capabilities: CapabilityTable = new CapabilityTable([]);

  constructor(context: ManagedPluginContext, discovered: DiscoveredPlugin, request: LoadRequest) {
    this.context = context;
    this.pluginId = discovered.metadata.plugin_id;
    this.callerConfig = request.callerConfig;
    this.isolation = request.isolation;
    this.validate = request.validate;
    this.state = {
      metadata: discovered.metadata,
      status: 'unloaded',
      // Replaced by the resolved configuration once the load gets that far.
      config: {
        plugin_id: this.pluginId,
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
      updatedAt: new Date(),
      sandbox: null,
    };
  }

  /** The host of the current instance; null before the first load completes and after unload. */
  get host(): PluginHost | null {
    return this.currentHost;
  }

  /**
   * Moves to `to` and emits `stateChange`; `error` (for `failed`) is kept in the state.
   * @throws PluginError INVALID_TRANSITION when the lifecycle table does not allow the step
   */
  moveTo(to: PluginStatus, startedAt: number, error?: Error): void {
    const from = this.state.status;
    assertTransition({ pluginId: this.pluginId, from, to, operation: `move to ${to}` });
    const at = new Date();
    this.state.status = to;
    this.state.updatedAt = at;
    if (error !== undefined) this.state.error = error;
    this.context.emitter.emit('stateChange', {
      pluginId: this.pluginId,
      from,
      to,
      at,
      durationMs: performance.now() - startedAt,
      ...(error === undefined ? {} : { error }),
    });
  }

  /** Takes over a prepared instance: its host, manifest, configuration and capabilities; clears the error. */
  adopt(prepared: PreparedPlugin): void {
    this.currentHost = prepared.host;
    this.state.metadata = prepared.metadata;
    this.state.config = prepared.config;
    this.state.instance = prepared.host.instance;
    this.state.sandbox = prepared.host.sandbox;
    this.state.error = null;
    this.state.loadedAt = new Date();
    this.capabilities = new CapabilityTable(prepared.metadata.capabilities);
  }

  /**
   * Forgets the retired host (the caller has cleaned it up and disposed it). `state.instance`
   * keeps the old object until the next instance is adopted, or unload clears it.
   */
  releaseHost(): void {
    this.currentHost = null;
  }

  /** Keeps `error` in the state without a transition (a refused reload: the old instance serves on). */
  keepError(error: Error): void {
    this.state.error = error;
    this.state.updatedAt = new Date();
  }

  /** Tells listeners the set of active capabilities may have changed. */
  announce(reason: CapabilitiesChangeReason): void {
    this.context.emitter.emit('capabilitiesChanged', { pluginId: this.pluginId, reason });
  }

  /** Stops watching the plugin folder, if it was watched. */
  stopWatching(): void {
    this.watch?.close();
    this.watch = null;
  }

  /**
   * LOADED or INACTIVE → ACTIVE, calling `activate()`; announces the new capabilities.
   * @throws PluginError INVALID_TRANSITION; PluginLoadError HOOK_FAILED or TIMEOUT (the plugin is then FAILED)
   */
  async activate(): Promise<void> {
    assertTransition({
      pluginId: this.pluginId,
      from: this.state.status,
      to: 'active',
      operation: 'activate',
    });
    await this.enterActive();
    this.announce('activate');
  }

  /**
   * Calls `activate()` and moves to ACTIVE, or to FAILED when the hook throws: the step that
   * activation and the hot swap share (neither announces here).
   * @throws PluginLoadError HOOK_FAILED or TIMEOUT
   */
  async enterActive(): Promise<void> {
    const startedAt = performance.now();
    try {
      await this.currentHost!.callHook('activate', this.context.hookLimits);
    } catch (error) {
      this.moveTo('failed', startedAt, hookError(this.pluginId, 'activate', error));
      throw this.state.error;
    }
    this.state.activatedAt = new Date();
    this.moveTo('active', startedAt);
  }

  /**
   * ACTIVE → INACTIVE calling `deactivate()`, or LOADED → INACTIVE without a hook (the seed's arrow).
   * @throws PluginError INVALID_TRANSITION; PluginLoadError HOOK_FAILED or TIMEOUT (the plugin is then FAILED)
   */
  async deactivate(): Promise<void> {
    assertTransition({
      pluginId: this.pluginId,
      from: this.state.status,
      to: 'inactive',
      operation: 'deactivate',
    });
    await this.enterInactive();
  }

  /**
   * Unloads: deactivates first when ACTIVE, then UNLOADING → UNLOADED calling `cleanup()` (best
   * effort for a FAILED plugin) and releasing the host. The caller forgets the plugin afterwards.
   * @throws PluginError INVALID_TRANSITION; PluginLoadError HOOK_FAILED or TIMEOUT (the plugin is then FAILED)
   */
  async unload(): Promise<void> {
    if (this.state.status === 'active') await this.enterInactive();
    const from = this.state.status;
    assertTransition({ pluginId: this.pluginId, from, to: 'unloading', operation: 'unload' });
    this.stopWatching();
    this.moveTo('unloading', performance.now());
    const startedAt = performance.now();
    const host = this.currentHost;
    let failure: PluginError | undefined;
    if (host !== null) {
      try {
        await host.callHook('cleanup', this.context.hookLimits);
      } catch (error) {
        // A FAILED plugin is being thrown away: its cleanup is best effort.
        if (from !== 'failed') failure = hookError(this.pluginId, 'cleanup', error);
      }
      await host.dispose().catch(() => undefined);
    }
    this.releaseHost();
    this.state.instance = null;
    this.state.sandbox = null;
    if (failure !== undefined) {
      this.moveTo('failed', startedAt, failure);
      throw failure;
    }
    this.moveTo('unloaded', startedAt);
  }

  /**
   * Calls a capability of the ACTIVE instance: declared in the manifest, implemented, and its
   * params checked against its schema; counted as in flight while it runs. Never throws
   * synchronously. (A swap holding calls is the loader's to wait for, before it calls this.)
   * @throws PluginError NOT_ACTIVE, CAPABILITY_NOT_FOUND, INVALID_PARAMS, and whatever the plugin throws
   */
  invoke(capability: string, params: unknown, options: PluginCallOptions): Promise<unknown> {
    const { pluginId } = this;
    const host = this.currentHost;
    if (this.state.status !== 'active' || host === null) {
      return Promise.reject(
        new PluginError(
          'NOT_ACTIVE',
          `cannot invoke ${pluginId}.${capability}: ${pluginId} is ${this.state.status}`,
          { details: { pluginId, capability, status: this.state.status } },
        ),
      );
    }
    const declared = this.capabilities.get(capability);
    if (declared === undefined || !host.hasMethod(capability)) {
      return Promise.reject(
        new PluginError(
          'CAPABILITY_NOT_FOUND',
          declared === undefined
            ? `${pluginId} declares no capability ${capability} (it has: ${this.capabilities.names().join(', ') || 'none'})`
            : `${pluginId} declares ${capability} but its instance has no such method`,
          { details: { pluginId, capability } },
        ),
      );
    }
    let value: unknown;
    try {
      value = this.capabilities.checkParams(pluginId, declared, params);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.calls.track(() => host.call(capability, [value], options));
  }

  /**
   * Moves to FAILED (WORKER_CRASHED unless the host gave a PluginError) after `host` died on its
   * own, if it is still this plugin's host and the plugin is settled; announces lost capabilities.
   */
  failFromCrash(host: PluginHost | undefined, error: Error): void {
    if (host === undefined || this.currentHost !== host) return;
    const status = this.state.status;
    if (status === 'failed' || status === 'unloading' || status === 'loading') return;
    const failure = PluginError.is(error)
      ? error
      : new PluginError('WORKER_CRASHED', `${this.pluginId} crashed: ${error.message}`, {
          cause: error,
          details: { pluginId: this.pluginId },
        });
    this.moveTo('failed', performance.now(), failure);
    if (status === 'active') this.announce('failed');
  }

  private async enterInactive(): Promise<void> {
    const wasActive = this.state.status === 'active';
    const startedAt = performance.now();
    if (wasActive) {
      try {
        await this.currentHost!.callHook('deactivate', this.context.hookLimits);
      } catch (error) {
        this.moveTo('failed', startedAt, hookError(this.pluginId, 'deactivate', error));
        this.announce('failed');
        throw this.state.error;
      }
    }
    this.moveTo('inactive', startedAt);
    if (wasActive) this.announce('deactivate');
  }
}
