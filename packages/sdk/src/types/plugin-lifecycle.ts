/** The names of the optional lifecycle hooks, in the order a plugin lives through them. */
export type LifecycleHookName = 'initialize' | 'activate' | 'deactivate' | 'cleanup';

/** What a lifecycle hook returns: nothing, or a promise the loader awaits. */
export type LifecycleHookResult = void | Promise<void>;

/**
 * The optional lifecycle hooks of a plugin instance. The loader calls `initialize` after
 * construction, `activate` on LOADED/INACTIVE → ACTIVE, `deactivate` on ACTIVE → INACTIVE, and
 * `cleanup` on unload. A hook that throws or rejects fails the transition with `HOOK_FAILED`.
 */
export interface PluginLifecycle {
  /** Called once after the plugin is constructed, before it is LOADED. */
  initialize?: () => LifecycleHookResult;
  /** Called when the plugin becomes ACTIVE. */
  activate?: () => LifecycleHookResult;
  /** Called when the plugin leaves ACTIVE for INACTIVE. */
  deactivate?: () => LifecycleHookResult;
  /** Called once when the plugin is unloaded; release everything here. */
  cleanup?: () => LifecycleHookResult;
}
