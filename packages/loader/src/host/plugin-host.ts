import type { PluginMetadata, PluginPermissions, SandboxConfig, SandboxLayers } from '@agentplug/models';

/** The lifecycle hooks a plugin may implement. */
export type LifecycleHook = 'initialize' | 'activate' | 'deactivate' | 'cleanup';

/** Options for one call into a plugin. */
export interface PluginCallOptions {
  /** Reject with TIMEOUT after this many milliseconds. */
  timeoutMs?: number;
  /** Reject with ABORTED when this signal aborts. */
  signal?: AbortSignal;
}

/** A permission check made inside an isolated plugin: the audit trail hosts can log. */
export interface PermissionEvent {
  pluginId: string;
  /** The permission asked for: `network`, `filesystem_read`, `filesystem_write`, `env`, `builtin`, ... */
  capability: string;
  /** What was asked: a host, a path, a variable, a module name. */
  target: string;
  allowed: boolean;
  at: Date;
}

/**
 * Where a plugin instance lives: in the host's thread (`isolation: "none"`), in a worker
 * (`isolation: "worker"`) or in a child process (`isolation: "process"`). The loader drives every
 * plugin through this seam, so the lifecycle, `invoke` and `state.instance` read the same in all
 * modes.
 */
export interface PluginHost {
  /** The object hosts see as `state.instance`: the plugin itself, or an async proxy to it. */
  readonly instance: object;
  /** The isolation layers active around this instance (`state.sandbox`). */
  readonly sandbox: SandboxLayers;
  /** Whether the instance has a callable method of this name (own or inherited). */
  hasMethod(name: string): boolean;
  /** Runs a lifecycle hook if the plugin has it; resolves at once when it does not. */
  callHook(hook: LifecycleHook, options?: PluginCallOptions): Promise<void>;
  /** Calls a method of the instance with the given arguments. */
  call(method: string, args: readonly unknown[], options?: PluginCallOptions): Promise<unknown>;
  /** Releases the instance: for a worker, terminates it. Idempotent. */
  dispose(): Promise<void>;
}

/** What it takes to start a plugin in a host. */
export interface PluginHostOptions {
  pluginId: string;
  /** Absolute path of the plugin folder. */
  pluginPath: string;
  /** Absolute path of the resolved entry module file. */
  entryModulePath: string;
  metadata: PluginMetadata;
  /** The merged, validated configuration passed to the plugin's constructor or factory. */
  config: Record<string, unknown>;
  permissions: PluginPermissions;
  sandbox: SandboxConfig;
  /** Called for each permission check inside an isolated plugin. */
  onPermissionEvent?: (event: PermissionEvent) => void;
  /** Called once if the host dies on its own (worker crash, exit, out of memory). */
  onCrash?: (error: Error) => void;
  /** Options of the process tier (`isolation: "process"`); ignored by the other tiers. */
  processSandbox?: ProcessSandboxOptions | undefined;
}

/** What a host decides about the process tier (`isolation: "process"`), beyond the manifest. */
export interface ProcessSandboxOptions {
  /**
   * Refuse to start a plugin when the OS sandbox (bubblewrap) is not available, with
   * SANDBOX_UNAVAILABLE, instead of running it with the permission model and the policy only.
   * Default false.
   */
  requireOsSandbox?: boolean | undefined;
  /**
   * Use the OS sandbox when available (`"auto"`, the default), or never (`"off"`). `"auto"`
   * looks for `bwrap` on PATH (or at `bubblewrapPath`) and checks once that it can make namespaces.
   */
  osSandbox?: 'auto' | 'off' | undefined;
  /** Where bwrap is; default: found on PATH. */
  bubblewrapPath?: string | undefined;
  /**
   * CPU seconds the plugin's process may use over its whole life (RLIMIT_CPU), calls and
   * background work together; past it the OS ends the process. Default 3,600.
   */
  cpuTimeLimitSeconds?: number | undefined;
  /**
   * Address space the plugin's process may map, in MB (RLIMIT_AS); default max_memory_mb + 4,096
   * (V8 and the C library reserve far more address space than they use).
   */
  addressSpaceLimitMb?: number | undefined;
}
