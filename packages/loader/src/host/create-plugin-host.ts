import { type IsolationMode, PluginError } from '@agentplug/models';
import { createProcessHost, createWorkerHost } from '../isolation';
import { createInProcessHost } from './create-in-process-host';
import type { PluginHost, PluginHostOptions } from './plugin-host';

/** Starts a plugin in one kind of host. */
export type PluginHostFactory = (options: PluginHostOptions) => Promise<PluginHost>;

/**
 * The host strategy of each isolation mode: the one place a mode is tied to its host. A new tier
 * adds its mode to models' `IsolationMode` and its factory here; the loader needs no other change.
 */
export const HOST_FACTORIES: Readonly<Record<IsolationMode, PluginHostFactory>> = {
  none: createInProcessHost,
  worker: createWorkerHost,
  process: createProcessHost,
};

/**
 * Starts a plugin in the host its `sandbox.isolation` names.
 * @throws PluginError INVALID_ARGUMENT for an unknown isolation mode; whatever the host's factory throws
 */
export function createPluginHost(options: PluginHostOptions): Promise<PluginHost> {
  const isolation: string = options.sandbox.isolation;
  const factory = Object.hasOwn(HOST_FACTORIES, isolation)
    ? HOST_FACTORIES[isolation as IsolationMode]
    : undefined;
  if (factory === undefined) {
    return Promise.reject(
      new PluginError(
        'INVALID_ARGUMENT',
        `cannot load ${options.pluginId}: unknown isolation "${isolation}"`,
        {
          details: { pluginId: options.pluginId, isolation },
        },
      ),
    );
  }
  return factory(options);
}
