import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { addPath, createMountPlan, mountArguments } from './mount-plan';
import { listNodeRuntimePaths } from './node-runtime-paths';

/** What the command of one plugin process is built from. */
export interface ProcessCommandOptions {
  /** The process bootstrap (`runtime/process-bootstrap.mjs`), absolute. */
  bootstrapPath: string;
  /** The runtime folder the bootstrap and its modules are in, absolute. */
  runtimeFolder: string;
  pluginPath: string;
  /** Declared read paths, absolute. */
  readPaths: readonly string[];
  /** Declared write paths, absolute. */
  writePaths: readonly string[];
  maxMemoryMb: number;
  cpuTimeLimitSeconds: number;
  addressSpaceLimitMb: number;
  /** bwrap's path when the OS sandbox is used. */
  bubblewrapPath?: string | undefined;
  /** The host proxy's Unix socket, bound into the sandbox (OS sandbox only). */
  proxySocketPath?: string | undefined;
  /**
   * Whether bubblewrap gives the plugin a session of its own (default true): needed only when the
   * host has a controlling terminal the plugin could push input into (TIOCSTI). A session of its
   * own is also a scheduling group of its own where the kernel groups by session (autogroup), which
   * makes every wake-up across the channel slower on a busy machine.
   */
  newSession?: boolean | undefined;
}

/** A command to spawn: the file and its arguments. */
export interface ProcessCommand {
  file: string;
  args: string[];
}

/** Node's permission-model flag: stable `--permission` where Node has it (22.13, 23.5 on), else the experimental one. */
export function permissionFlag(): string {
  return process.allowedNodeEnvironmentFlags.has('--permission')
    ? '--permission'
    : '--experimental-permission';
}

/**
 * A path and, when it differs, the real path it resolves to (the permission model compares paths
 * as given), normalised without a trailing separator: Node 20 aborts on start when one folder is
 * allowed both with and without it.
 */
function withRealPath(path: string): string[] {
  const normalized = resolve(path);
  try {
    const real = realpathSync(normalized);
    return real === normalized ? [normalized] : [normalized, real];
  } catch {
    return [normalized];
  }
}

/** The Node arguments of a plugin process: the permission model, its paths, the heap limit, the bootstrap. */
export function buildNodeArguments(options: ProcessCommandOptions): string[] {
  const reads = new Set<string>();
  const writes = new Set<string>();
  for (const path of [
    options.runtimeFolder,
    options.pluginPath,
    ...options.readPaths,
    ...options.writePaths,
  ]) {
    for (const variant of withRealPath(path)) reads.add(variant);
  }
  for (const path of options.writePaths) for (const variant of withRealPath(path)) writes.add(variant);
  return [
    permissionFlag(),
    ...[...reads].map((path) => `--allow-fs-read=${path}`),
    ...[...writes].map((path) => `--allow-fs-write=${path}`),
    `--max-old-space-size=${options.maxMemoryMb}`,
    '--no-addons',
    '--disable-warning=ExperimentalWarning',
    // Bounds checks compiled into WebAssembly instead of 8 GB guard reservations per memory, which
    // the address-space limit would refuse (fetch's HTTP parser is WebAssembly).
    '--disable-wasm-trap-handler',
    options.bootstrapPath,
  ];
}

/**
 * The bubblewrap arguments: every namespace unshared (so no network interface but loopback, its
 * own process and IPC space), no capabilities, a session of its own unless `newSession` is false,
 * a fresh /proc and a minimal /dev, and a root that
 * shows only the Node binary and its libraries, the runtime, the plugin folder, the declared paths
 * (writable ones writable) and the proxy's socket.
 */
export function buildBubblewrapArguments(options: ProcessCommandOptions): string[] {
  const plan = createMountPlan();
  for (const path of listNodeRuntimePaths()) addPath(plan, path, 'read');
  addPath(plan, options.runtimeFolder, 'read');
  addPath(plan, options.pluginPath, 'read');
  for (const path of options.readPaths) addPath(plan, path, 'read');
  for (const path of options.writePaths) addPath(plan, path, 'write');
  if (options.proxySocketPath !== undefined) addPath(plan, options.proxySocketPath, 'read');
  return [
    '--unshare-all',
    '--die-with-parent',
    ...(options.newSession === false ? [] : ['--new-session']),
    '--cap-drop',
    'ALL',
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    // bubblewrap sets PWD; the plugin is given only its declared variables.
    '--unsetenv',
    'PWD',
    ...mountArguments(plan),
    '--chdir',
    options.pluginPath,
    '--',
  ];
}

/**
 * The whole command: a `/bin/sh` that sets the resource limits (CPU seconds, address space, no
 * core files) and execs bubblewrap (when used), which execs Node. Without `/bin/sh` (Windows)
 * Node is started directly, without rlimits.
 */
export function buildProcessCommand(options: ProcessCommandOptions): ProcessCommand {
  const node = [process.execPath, ...buildNodeArguments(options)];
  const sandboxed =
    options.bubblewrapPath === undefined
      ? node
      : [options.bubblewrapPath, ...buildBubblewrapArguments(options), ...node];
  if (!existsSync('/bin/sh')) return { file: sandboxed[0] as string, args: sandboxed.slice(1) };
  const cpu = Math.max(1, Math.ceil(options.cpuTimeLimitSeconds));
  const addressSpaceKb = Math.max(1, Math.ceil(options.addressSpaceLimitMb * 1024));
  // The shell exports PWD; the plugin is given only its declared variables.
  // CPU: the soft limit sends SIGXCPU (reported as the CPU limit), the hard one, 2 s later, SIGKILL.
  const script = `ulimit -S -t ${cpu} && ulimit -H -t ${cpu + 2} && ulimit -v ${addressSpaceKb} && ulimit -c 0 && unset PWD OLDPWD && exec "$0" "$@"`;
  return { file: '/bin/sh', args: ['-c', script, ...sandboxed] };
}
