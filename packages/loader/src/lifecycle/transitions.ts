import { PluginError, type PluginStatus } from '@agentplug/models';

/**
 * The seed's lifecycle diagram as a table: for each status, the statuses it may move to.
 * `loaded → inactive` is the diagram's own arrow (a loaded plugin deactivated before it ever
 * ran); UNLOADING is the step between a loaded status and UNLOADED; FAILED is reached from every
 * status where code runs, and left only by unloading.
 */
export const LIFECYCLE_TRANSITIONS: Readonly<Record<PluginStatus, readonly PluginStatus[]>> = {
  unloaded: ['loading'],
  loading: ['loaded', 'failed'],
  loaded: ['active', 'inactive', 'unloading', 'failed'],
  active: ['inactive', 'failed'],
  inactive: ['active', 'unloading', 'failed'],
  failed: ['unloading'],
  unloading: ['unloaded', 'failed'],
};

/** The statuses of a plugin that is loaded and between operations: a dependency is ready, a reload swaps in place. */
export const SETTLED_STATUSES: ReadonlySet<PluginStatus> = new Set<PluginStatus>([
  'loaded',
  'active',
  'inactive',
]);

/** Whether the lifecycle allows moving from `from` to `to`. */
export function isTransitionAllowed(from: PluginStatus, to: PluginStatus): boolean {
  return LIFECYCLE_TRANSITIONS[from].includes(to);
}

/**
 * Throws unless the lifecycle allows `from → to`.
 * @throws PluginError INVALID_TRANSITION with `details.from`, `details.to`, `details.pluginId`
 */
export function assertTransition(options: {
  pluginId: string;
  from: PluginStatus;
  to: PluginStatus;
  operation: string;
}): void {
  const { pluginId, from, to, operation } = options;
  if (isTransitionAllowed(from, to)) return;
  throw new PluginError(
    'INVALID_TRANSITION',
    `cannot ${operation} ${pluginId}: the lifecycle does not allow ${from} → ${to}`,
    { details: { pluginId, from, to, operation } },
  );
}
