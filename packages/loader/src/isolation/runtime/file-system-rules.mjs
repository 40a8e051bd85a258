// What the file-system guard (guard-file-system.mjs) knows about fs: how each function's path
// arguments are checked, what each descriptor function does with its descriptor, which members
// open nothing, and how open flags read. Plain data and pure functions, evaluated before plugin
// code runs.
import fs from 'node:fs';
import { SafeSet } from './primordials.mjs';

const { O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0, O_TRUNC = 0, O_APPEND = 0 } = fs.constants;

// How each path argument of an fs function is checked. `read`/`write` follow symlinks; the
// `-link` forms act on the link itself (lstat, unlink, rename, ...). `flags` says where the open
// flags are (`{ at, options }`: the argument, or its `flag`/`flags` option) and what they default to.
export const rules = {
  access: { paths: [[0, 'read']] },
  exists: { paths: [[0, 'read']] },
  readFile: { paths: [[0, 'read']], flags: { at: 1, options: 'flag', fallback: 'r' }, holds: true },
  readdir: { paths: [[0, 'read']], listing: true },
  readlink: { paths: [[0, 'read-link']] },
  realpath: { paths: [[0, 'read']] },
  stat: { paths: [[0, 'read']] },
  lstat: { paths: [[0, 'read-link']] },
  statfs: { paths: [[0, 'read']] },
  opendir: { paths: [[0, 'read']], noRecursive: true, directory: true },
  watch: { paths: [[0, 'read']] },
  watchFile: { paths: [[0, 'read']] },
  unwatchFile: { paths: [[0, 'read']] },
  createReadStream: { paths: [[0, 'read']], flags: { at: 1, options: 'flags', fallback: 'r' }, stream: true },
  openAsBlob: { paths: [[0, 'read']] },
  appendFile: { paths: [[0, 'write']], flags: { at: 2, options: 'flag', fallback: 'a' }, holds: true },
  writeFile: { paths: [[0, 'write']], flags: { at: 2, options: 'flag', fallback: 'w' }, holds: true },
  createWriteStream: {
    paths: [[0, 'write']],
    flags: { at: 1, options: 'flags', fallback: 'w' },
    stream: true,
  },
  chmod: { paths: [[0, 'write']] },
  chown: { paths: [[0, 'write']] },
  lchmod: { paths: [[0, 'write-link']] },
  lchown: { paths: [[0, 'write-link']] },
  lutimes: { paths: [[0, 'write-link']] },
  utimes: { paths: [[0, 'write']] },
  truncate: { paths: [[0, 'write']] },
  mkdir: { paths: [[0, 'write']] },
  mkdtemp: { paths: [[0, 'write-link']] },
  mkdtempDisposable: { paths: [[0, 'write-link']] },
  rm: { paths: [[0, 'write-link']] },
  rmdir: { paths: [[0, 'write-link']] },
  unlink: { paths: [[0, 'write-link']] },
  copyFile: {
    paths: [
      [0, 'read'],
      [1, 'write'],
    ],
  },
  cp: {
    paths: [
      [0, 'read'],
      [1, 'write'],
    ],
    noDereference: true,
  },
  rename: {
    paths: [
      [0, 'write-link'],
      [1, 'write-link'],
    ],
  },
  // A hard link is the same file under a second name: linking a file into a write folder would
  // make it writable there, so the source must be readable and writable (where it really is).
  link: {
    paths: [
      [0, 'read'],
      [0, 'write-link'],
      [1, 'write-link'],
    ],
  },
  symlink: { paths: [[1, 'write-link']], symlink: true },
  open: { paths: [[0, 'open']], flags: { at: 1, fallback: 'r' }, opens: true },
};

// What a descriptor function does with its descriptor, beyond what any open grants: `read` reads
// from it, `change` changes the file itself (its size, mode, owner or times, which the OS allows
// through any descriptor, even one opened read-only), `close` gives its number back.
export const descriptorUses = {
  close: 'close',
  fchmod: 'change',
  fchown: 'change',
  ftruncate: 'change',
  futimes: 'change',
  read: 'read',
  readv: 'read',
};
// How many descriptors a plugin may hold open at once. In a worker the descriptor table is the
// host process's: without a budget a plugin could take every free number, and the host could open
// no file and accept no connection until the plugin ended.
export const maximumOpenDescriptors = 256;

// FileHandle methods that change the file itself.
export const handleChanges = new SafeSet(['chmod', 'chown', 'truncate', 'utimes']);

// fs functions whose first argument is a file descriptor.
export const descriptorFunctions = [
  'close',
  'fchmod',
  'fchown',
  'fdatasync',
  'fstat',
  'fsync',
  'ftruncate',
  'futimes',
  'read',
  'readv',
  'write',
  'writev',
];

// Members of fs that open nothing by themselves: classes whose I/O goes through the guarded
// functions above (streams call `fs.open`, `fs.read`, `fs.close` through the module object).
export const passThrough = new SafeSet([
  'Dir',
  'Dirent',
  'Stats',
  'ReadStream',
  'WriteStream',
  'FileReadStream',
  'FileWriteStream',
  'Utf8Stream',
  '_toUnixTimestamp',
  'constants',
  'promises',
  'F_OK',
  'R_OK',
  'W_OK',
  'X_OK',
]);

export function isReadOnlyFlags(flags) {
  if (flags === undefined || flags === null) return true;
  if (typeof flags === 'number') {
    return (flags & O_ACCMODE) === O_RDONLY && (flags & (O_CREAT | O_TRUNC | O_APPEND)) === 0;
  }
  return flags === 'r' || flags === 'rs' || flags === 'sr';
}

export function isWriteOnlyFlags(flags) {
  if (typeof flags === 'number') return (flags & O_ACCMODE) === O_WRONLY;
  return (
    flags === 'w' ||
    flags === 'wx' ||
    flags === 'xw' ||
    flags === 'a' ||
    flags === 'ax' ||
    flags === 'xa' ||
    flags === 'as' ||
    flags === 'sa'
  );
}
