import { constants as fileSystemConstants } from 'node:fs';

/** How the scan treats a module: which kind of capability it carries. */
export type ModuleKind =
  | 'shell'
  | 'eval'
  | 'network'
  | 'filesystem'
  | 'process'
  | 'module'
  | 'worker'
  | 'path';

/** A module the scan tracks, after `node:` and subpaths are normalised. */
export interface TrackedModule {
  /** Canonical module name (`fs` for `fs/promises`). */
  module: string;
  /** Member path the specifier lands on (`promises` for `fs/promises`). */
  path: string;
  kind: ModuleKind;
}

const MODULE_KINDS: ReadonlyMap<string, ModuleKind> = new Map<string, ModuleKind>([
  ['child_process', 'shell'],
  ['execa', 'shell'],
  ['shelljs', 'shell'],
  ['cross-spawn', 'shell'],
  ['cluster', 'shell'],
  ['vm', 'eval'],
  ['repl', 'eval'],
  ['inspector', 'eval'],
  ['http', 'network'],
  ['https', 'network'],
  ['http2', 'network'],
  ['net', 'network'],
  ['tls', 'network'],
  ['dgram', 'network'],
  ['dns', 'network'],
  ['undici', 'network'],
  ['node-fetch', 'network'],
  ['cross-fetch', 'network'],
  ['axios', 'network'],
  ['got', 'network'],
  ['ws', 'network'],
  ['request', 'network'],
  ['superagent', 'network'],
  ['fs', 'filesystem'],
  ['fs-extra', 'filesystem'],
  ['graceful-fs', 'filesystem'],
  // Node's own modules that open files: a database file (and any file `ATTACH` names), the
  // folders a WASI instance is given, heap snapshots written to disk.
  ['sqlite', 'filesystem'],
  ['wasi', 'filesystem'],
  ['v8', 'filesystem'],
  ['process', 'process'],
  ['module', 'module'],
  ['worker_threads', 'worker'],
  ['path', 'path'],
]);

/** Subpath specifiers that land on a member of their module. */
const SUBPATHS: ReadonlyMap<string, TrackedModule> = new Map([
  ['fs/promises', { module: 'fs', path: 'promises', kind: 'filesystem' as const }],
  ['dns/promises', { module: 'dns', path: 'promises', kind: 'network' as const }],
  ['inspector/promises', { module: 'inspector', path: 'promises', kind: 'eval' as const }],
  ['path/posix', { module: 'path', path: '', kind: 'path' as const }],
  ['path/win32', { module: 'path', path: 'win32', kind: 'path' as const }],
]);

/** Strips the `node:` scheme from a built-in module specifier. */
export function normaliseSpecifier(specifier: string): string {
  return specifier.startsWith('node:') ? specifier.slice(5) : specifier;
}

/** The tracked module a specifier names, or undefined for modules the scan does not care about. */
export function lookupModule(specifier: string): TrackedModule | undefined {
  const name = normaliseSpecifier(specifier);
  const subpath = SUBPATHS.get(name);
  if (subpath !== undefined) return subpath;
  const kind = MODULE_KINDS.get(name);
  return kind === undefined ? undefined : { module: name, path: '', kind };
}

/** The kind of a tracked module name. */
export function moduleKindOf(module: string): ModuleKind | undefined {
  return MODULE_KINDS.get(module);
}

const CHILD_PROCESS_METHODS: ReadonlySet<string> = new Set([
  'exec',
  'execSync',
  'execFile',
  'execFileSync',
  'spawn',
  'spawnSync',
  'fork',
]);

const CLUSTER_METHODS: ReadonlySet<string> = new Set(['fork', 'setupPrimary', 'setupMaster']);

/** Whether calling `path` of a shell module starts a process. */
export function isShellCall(module: string, path: string): boolean {
  if (module === 'child_process') return CHILD_PROCESS_METHODS.has(path);
  if (module === 'cluster') return CLUSTER_METHODS.has(path);
  return true;
}

const FS_READ_METHODS: ReadonlySet<string> = new Set([
  'readFile',
  'readdir',
  'createReadStream',
  'stat',
  'lstat',
  'access',
  'exists',
  'readlink',
  'realpath',
  'opendir',
  'watch',
  'watchFile',
  'read',
  'readv',
  'readJson',
  'readJSON',
  'pathExists',
  'statfs',
  'glob',
  'ReadStream',
  'FileReadStream',
  'readvSync',
]);

const FS_WRITE_METHODS: ReadonlySet<string> = new Set([
  'writeFile',
  'appendFile',
  'createWriteStream',
  'mkdir',
  'mkdtemp',
  'rm',
  'rmdir',
  'unlink',
  'rename',
  'copyFile',
  'cp',
  'symlink',
  'link',
  'chmod',
  'lchmod',
  'chown',
  'lchown',
  'truncate',
  'utimes',
  'lutimes',
  'write',
  'writev',
  'outputFile',
  'outputJson',
  'outputJSON',
  'writeJson',
  'writeJSON',
  'remove',
  'emptyDir',
  'emptydir',
  'ensureDir',
  'ensureFile',
  'mkdirp',
  'mkdirs',
  'move',
  'copy',
  'WriteStream',
  'FileWriteStream',
  'ftruncate',
  'fchmod',
  'fchown',
  'futimes',
  'mkdtempDisposable',
  // node:sqlite opens (and creates) a database file; `backup` writes one.
  'DatabaseSync',
  'Database',
  'backup',
  // node:wasi hands the instance the folders of its `preopens`, to read and write.
  'WASI',
  // node:v8 writes heap snapshots to files.
  'writeHeapSnapshot',
  'setHeapSnapshotNearHeapLimit',
]);

/** Bits of numeric open flags that write: O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND. */
const WRITING_FLAG_BITS: number =
  fileSystemConstants.O_WRONLY |
  fileSystemConstants.O_RDWR |
  fileSystemConstants.O_CREAT |
  fileSystemConstants.O_TRUNC |
  fileSystemConstants.O_APPEND;

/**
 * Whether open flags write: a string with `w`, `a` or `+`, or a number with a writing bit. An
 * unknown value (`null` here) counts as writing, since it could be.
 */
export function flagsWrite(flags: string | number | null | undefined): boolean {
  if (flags === undefined) return false;
  if (flags === null) return true;
  if (typeof flags === 'number') return (flags & WRITING_FLAG_BITS) !== 0;
  return /[wa+]/.test(flags);
}

/**
 * Whether a file system method reads or writes. `open` depends on its flags, so the caller
 * passes them (`null` when not statically known); methods that do neither (close, constants)
 * return undefined.
 */
export function classifyFileSystemCall(
  path: string,
  flags: string | number | null | undefined,
): 'filesystem_read' | 'filesystem_write' | undefined {
  let name = path.startsWith('promises.') ? path.slice('promises.'.length) : path;
  if (name.endsWith('Sync')) name = name.slice(0, -4);
  if (name === 'open' || name === 'openAsBlob')
    return flagsWrite(flags) ? 'filesystem_write' : 'filesystem_read';
  if (FS_READ_METHODS.has(name)) return 'filesystem_read';
  if (FS_WRITE_METHODS.has(name)) return 'filesystem_write';
  return undefined;
}

const HARMLESS_NETWORK_MEMBERS: ReadonlySet<string> = new Set([
  'isIP',
  'isIPv4',
  'isIPv6',
  'getDefaultAutoSelectFamily',
  'setDefaultAutoSelectFamily',
  'validateHeaderName',
  'validateHeaderValue',
  'getDefaultResultOrder',
  'setDefaultResultOrder',
  'isCancel',
  'isAxiosError',
]);

/** Whether calling `path` of a network module opens no connection (net.isIP and friends). */
export function isHarmlessNetworkCall(path: string): boolean {
  return HARMLESS_NETWORK_MEMBERS.has(path);
}
