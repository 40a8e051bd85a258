import {
  PluginError,
  type PluginMetadata,
  type PluginState,
  type PluginStatus,
  readManifest,
} from '@agentplug/models';
import { toError, toLoadError } from '../errors/loader-errors';
import type { PluginLoaderEvents } from '../events/plugin-loader-events';
import type { TypedEmitter } from '../events/typed-emitter';
import type { PluginCallOptions } from '../host/plugin-host';
import type { ManagedPlugin } from '../lifecycle/managed-plugin';
import { assertTransition, SETTLED_STATUSES } from '../lifecycle/transitions';
import type { PreparedPlugin } from '../loader/prepare-plugin';

/** How one reload ended, for the `reload` event: `ok` unless `error` is given. */
export interface ReloadOutcome {
  pluginId: string;
  triggeredByWatcher: boolean;
  /** `performance.now()` when the reload began. */
  startedAt: number;
  error?: Error;
}

/** Emits the `reload` event of one reload. */
export function reportReload(emitter: TypedEmitter<PluginLoaderEvents>, outcome: ReloadOutcome): void {
  const { pluginId, triggeredByWatcher, startedAt, error } = outcome;
  const durationMs = performance.now() - startedAt;
  if (error === undefined) emitter.emit('reload', { pluginId, ok: true, triggeredByWatcher, durationMs });
  else emitter.emit('reload', { pluginId, ok: false, error, triggeredByWatcher, durationMs });
}

/** Options of {@link reloadInPlace}. */
export interface ReloadInPlaceOptions {
  emitter: TypedEmitter<PluginLoaderEvents>;
  /** Run the validation gate on the new code. Default true. */
  validate: boolean | undefined;
  triggeredByWatcher: boolean;
  /** How long the swap waits for in-flight calls before retiring the old instance anyway. */
  drainTimeoutMs: number;
  hookLimits: PluginCallOptions;
  /** Starts and initialises the new instance from the manifest on disk now, as a load does. */
  prepare(metadata: PluginMetadata): Promise<PreparedPlugin>;
}

/**
 * Reloads a settled plugin (LOADED, ACTIVE or INACTIVE) without a gap in service. The new code
 * is read, started and initialised while the old instance serves; only then are new calls held,
 * running calls drained on the old instance, the old instance retired through the lifecycle, and
 * the new one brought to the old status. If the new code fails, the old instance keeps serving,
 * the error is kept in `state.error` and reported by a `reload` event, and this rejects.
 *
 * @throws PluginError INVALID_TRANSITION (not settled), MANIFEST_* (including a changed plugin id), and whatever a load throws
 */
export async function reloadInPlace(
  plugin: ManagedPlugin,
  options: ReloadInPlaceOptions,
): Promise<PluginState> {
  const { pluginId } = plugin;
  const { emitter, triggeredByWatcher } = options;
  const startedAt = performance.now();
  const previous = plugin.state.status;
  if (!SETTLED_STATUSES.has(previous)) {
    assertTransition({ pluginId, from: previous, to: 'loading', operation: 'reload' });
  }
  const validate = plugin.validate;
  plugin.validate = options.validate ?? true;
  let prepared: PreparedPlugin;
  try {
    const { manifest } = await readManifest(plugin.state.pluginPath);
    if (manifest.plugin_id !== pluginId) {
      throw new PluginError(
        'MANIFEST_INVALID',
        `plugin.json now declares ${manifest.plugin_id} instead of ${pluginId}`,
        { details: { pluginId, declared: manifest.plugin_id } },
      );
    }
    prepared = await options.prepare(manifest);
  } catch (error) {
    plugin.validate = validate;
    const failure = toLoadError(pluginId, error, 'LOAD_FAILED');
    plugin.keepError(failure);
    reportReload(emitter, { pluginId, triggeredByWatcher, startedAt, error: failure });
    throw failure;
  }
  const release = plugin.calls.hold();
  try {
    await swapInstance(plugin, prepared, {
      target: previous,
      drainTimeoutMs: options.drainTimeoutMs,
      hookLimits: options.hookLimits,
    });
  } catch (error) {
    const failure = toError(error);
    // The old instance is already retired: whatever it offered is gone.
    if (previous === 'active') plugin.announce('failed');
    reportReload(emitter, { pluginId, triggeredByWatcher, startedAt, error: failure });
    throw failure;
  } finally {
    release();
  }
  reportReload(emitter, { pluginId, triggeredByWatcher, startedAt });
  plugin.announce('reload');
  return plugin.state;
}

/** Drains the old instance, retires it through the lifecycle, and brings the new one to `target`. */
async function swapInstance(
  plugin: ManagedPlugin,
  prepared: PreparedPlugin,
  options: { target: PluginStatus; drainTimeoutMs: number; hookLimits: PluginCallOptions },
): Promise<void> {
  if (plugin.calls.size > 0) await plugin.calls.drain(options.drainTimeoutMs);
  const old = plugin.host;
  let startedAt = performance.now();
  if (plugin.state.status === 'active') {
    // The old instance is retired whatever its hooks do: their failures do not stop the swap.
    await old?.callHook('deactivate', options.hookLimits).catch(() => undefined);
    plugin.moveTo('inactive', startedAt);
  }
  if (plugin.state.status === 'loaded' || plugin.state.status === 'inactive') {
    plugin.moveTo('unloading', performance.now());
  }
  startedAt = performance.now();
  await old?.callHook('cleanup', options.hookLimits).catch(() => undefined);
  await old?.dispose().catch(() => undefined);
  plugin.releaseHost();
  plugin.moveTo('unloaded', startedAt);
  plugin.moveTo('loading', performance.now());
  plugin.adopt(prepared);
  plugin.moveTo('loaded', startedAt);
  if (options.target === 'active') await plugin.enterActive();
  else if (options.target === 'inactive') plugin.moveTo('inactive', performance.now());
}
