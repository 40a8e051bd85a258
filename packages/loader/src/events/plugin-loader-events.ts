import type { PluginStatus } from '@agentplug/models';
import type { PermissionEvent } from '../host/plugin-host';

/** One lifecycle transition of one plugin. */
export interface StateChangeEvent {
  pluginId: string;
  from: PluginStatus;
  to: PluginStatus;
  at: Date;
  /** How long the step that ended in `to` took: the whole load for `loaded`, the hook for `active`, `inactive` and `unloaded`; 0 for the start of a step. */
  durationMs: number;
  /** Why, when `to` is `failed`. */
  error?: Error;
}

/** The outcome of one reload (called directly or by the file watcher). */
export interface ReloadEvent {
  pluginId: string;
  ok: boolean;
  /** Why the new code was refused; the old instance keeps serving. */
  error?: Error;
  /** Whether the file watcher started this reload. */
  triggeredByWatcher: boolean;
  durationMs: number;
}

/** Why the set of active capabilities may have changed. */
export type CapabilitiesChangeReason = 'activate' | 'deactivate' | 'unload' | 'reload' | 'failed';

/** The set of active capabilities may have changed: list them again with `listCapabilities()`. */
export interface CapabilitiesChangedEvent {
  pluginId: string;
  reason: CapabilitiesChangeReason;
}

/** The events a {@link PluginLoader} emits, by name. */
export interface PluginLoaderEvents {
  stateChange: StateChangeEvent;
  reload: ReloadEvent;
  permission: PermissionEvent;
  capabilitiesChanged: CapabilitiesChangedEvent;
}
