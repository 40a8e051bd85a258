import fs from 'node:fs';
import path from 'node:path';
import { pathArgumentToString } from './permission-policy.mjs';
import {
  apply,
  arraySlice,
  defineProperty,
  nextTick,
  SafePromise,
  SafeSet,
  setAdd,
  setDelete,
  setHas,
} from './primordials.mjs';

// Captured: the path module object is shared with the plugin.
const { resolve: resolvePath, dirname } = path;
const { O_ACCMODE = 3, O_RDONLY = 0, O_CREAT = 0, O_TRUNC = 0, O_APPEND = 0 } = fs.constants;

// How each path argument of an fs function is checked. `read`/`write` follow symlinks; the
// `-link` forms act on the link itself (lstat, unlink, rename, ...).
const pathRules = {
  access: [[0, 'read']],
  exists: [[0, 'read']],
  readFile: [[0, 'read']],
  readdir: [[0, 'read']],
  readlink: [[0, 'read-link']],
  realpath: [[0, 'read']],
  stat: [[0, 'read']],
  lstat: [[0, 'read-link']],
  statfs: [[0, 'read']],
  opendir: [[0, 'read']],
  watch: [[0, 'read']],
  watchFile: [[0, 'read']],
  unwatchFile: [[0, 'read']],
  createReadStream: [[0, 'read']],
  openAsBlob: [[0, 'read']],
  appendFile: [[0, 'write']],
  writeFile: [[0, 'write']],
  createWriteStream: [[0, 'write']],
  chmod: [[0, 'write']],
  chown: [[0, 'write']],
  lchmod: [[0, 'write-link']],
  lchown: [[0, 'write-link']],
  lutimes: [[0, 'write-link']],
  utimes: [[0, 'write']],
  truncate: [[0, 'write']],
  mkdir: [[0, 'write']],
  mkdtemp: [[0, 'write-link']],
  rm: [[0, 'write-link']],
  rmdir: [[0, 'write-link']],
  unlink: [[0, 'write-link']],
  copyFile: [
    [0, 'read'],
    [1, 'write'],
  ],
  cp: [
    [0, 'read'],
    [1, 'write'],
  ],
  rename: [
    [0, 'write-link'],
    [1, 'write-link'],
  ],
  link: [
    [0, 'read'],
    [1, 'write-link'],
  ],
  symlink: [
    [0, 'link-target'],
    [1, 'write-link'],
  ],
  open: [[0, 'open']],
};

// fs functions whose first argument is a file descriptor.
const descriptorFunctions = [
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

function isReadOnlyFlags(flags) {
  if (flags === undefined || flags === null) return true;
  if (typeof flags === 'number') {
    return (flags & O_ACCMODE) === O_RDONLY && (flags & (O_CREAT | O_TRUNC | O_APPEND)) === 0;
  }
  return flags === 'r' || flags === 'rs' || flags === 'sr';
}

function isWriteOnlyFlags(flags) {
  if (typeof flags === 'number') return (flags & O_ACCMODE) === 1;
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

/**
 * Replaces the file-system functions of `fs` and `fs/promises` (callback, sync, promise and
 * stream forms) with versions that check each path against the declared read and write paths,
 * resolve it (symlinks followed) and pass the resolved path on, and that accept only the file
 * descriptors this plugin opened itself (the descriptor table is shared with the host process).
 */
export function guardFileSystem(policy) {
  const ownedDescriptors = new SafeSet([1, 2]);
  const promises = fs.promises;

  function checkDescriptor(descriptor) {
    if (typeof descriptor !== 'number') return;
    if (!setHas(ownedDescriptors, descriptor)) {
      throw policy.denyEscapeHatch('filesystem_read', `file descriptor ${descriptor}, which it did not open`);
    }
  }

  function checkPath(value, mode, flags) {
    if (mode === 'read') return policy.checkRead(value, true);
    if (mode === 'read-link') return policy.checkRead(value, false);
    if (mode === 'write') return policy.checkWrite(value, true);
    if (mode === 'write-link') return policy.checkWrite(value, false);
    // open: the flags decide.
    if (isReadOnlyFlags(flags)) return policy.checkRead(value, true);
    if (isWriteOnlyFlags(flags)) return policy.checkWrite(value, true);
    policy.checkRead(value, true);
    return policy.checkWrite(value, true);
  }

  function isFileHandle(value) {
    return (
      value !== null &&
      typeof value === 'object' &&
      typeof value.fd === 'number' &&
      typeof value.close === 'function'
    );
  }

  /** Checks every path and descriptor argument; returns the arguments with resolved paths. */
  function checkArguments(name, args) {
    const rules = pathRules[name];
    const checked = arraySlice(args);
    if (name === 'symlink') {
      // The link is written; its target is read through it later, so it must be readable.
      const linkPath = policy.checkWrite(checked[1], false);
      const target = resolvePath(dirname(linkPath), pathArgumentToString(checked[0]));
      policy.checkRead(target, true);
      checked[1] = linkPath;
      return checked;
    }
    for (let index = 0; index < rules.length; index += 1) {
      const [position, mode] = rules[index];
      const value = checked[position];
      if (typeof value === 'number') {
        // readFile, writeFile and appendFile also take a descriptor.
        checkDescriptor(value);
        continue;
      }
      if (isFileHandle(value)) continue;
      if (value === null && (name === 'createReadStream' || name === 'createWriteStream')) continue;
      checked[position] = checkPath(value, mode, checked[position + 1]);
    }
    if (name === 'createReadStream' || name === 'createWriteStream') {
      const options = checked[1];
      if (options !== null && typeof options === 'object' && !isFileHandle(options.fd)) {
        if (options.fd !== undefined) checkDescriptor(options.fd);
      }
    }
    return checked;
  }

  function trackOpened(descriptor) {
    if (typeof descriptor === 'number') setAdd(ownedDescriptors, descriptor);
    else if (isFileHandle(descriptor)) setAdd(ownedDescriptors, descriptor.fd);
    return descriptor;
  }

  function nameLike(guarded, original) {
    defineProperty(guarded, 'name', { value: original.name, configurable: true });
    return guarded;
  }

  function wrapSync(name, checkName) {
    const original = fs[name];
    if (typeof original !== 'function') return;
    const guarded = function (...args) {
      const result = apply(original, this, checkArguments(checkName, args));
      if (checkName === 'open') trackOpened(result);
      return result;
    };
    if (typeof original.native === 'function') {
      const native = original.native;
      guarded.native = function (...args) {
        return apply(native, this, checkArguments(checkName, args));
      };
    }
    fs[name] = nameLike(guarded, original);
  }

  function wrapCallback(name) {
    const original = fs[name];
    if (typeof original !== 'function') return;
    const guarded = function (...args) {
      let checked;
      try {
        checked = checkArguments(name, args);
      } catch (error) {
        const callback = args[args.length - 1];
        if (typeof callback !== 'function' || error?.code !== 'PERMISSION_DENIED') throw error;
        // fs.exists' callback takes no error: a refused path does not exist for the plugin.
        nextTick(callback, name === 'exists' ? false : error);
        return undefined;
      }
      if (name === 'open') {
        const last = checked.length - 1;
        const callback = checked[last];
        if (typeof callback === 'function') {
          checked[last] = (error, descriptor) => {
            if (!error) trackOpened(descriptor);
            callback(error, descriptor);
          };
        }
      }
      return apply(original, this, checked);
    };
    if (typeof original.native === 'function') {
      const native = original.native;
      guarded.native = function (...args) {
        let checked;
        try {
          checked = checkArguments(name, args);
        } catch (error) {
          const callback = args[args.length - 1];
          if (typeof callback !== 'function') throw error;
          nextTick(callback, error);
          return undefined;
        }
        return apply(native, this, checked);
      };
    }
    fs[name] = nameLike(guarded, original);
  }

  function wrapPromise(name) {
    const original = promises[name];
    if (typeof original !== 'function') return;
    promises[name] = nameLike(function (...args) {
      let checked;
      try {
        checked = checkArguments(name, args);
      } catch (error) {
        return SafePromise.reject(error);
      }
      const result = apply(original, this, checked);
      return name === 'open' ? result.then(trackOpened) : result;
    }, original);
  }

  function wrapDescriptor(name) {
    const original = fs[name];
    if (typeof original !== 'function') return;
    const isSync = name.endsWith('Sync');
    fs[name] = nameLike(function (...args) {
      const descriptor = args[0];
      try {
        checkDescriptor(descriptor);
      } catch (error) {
        const callback = args[args.length - 1];
        if (isSync || typeof callback !== 'function') throw error;
        nextTick(callback, error);
        return undefined;
      }
      const result = apply(original, this, args);
      if (name === 'close' || name === 'closeSync') setDelete(ownedDescriptors, descriptor);
      return result;
    }, original);
  }

  for (const name of Object.keys(pathRules)) {
    if (name === 'createReadStream' || name === 'createWriteStream' || name === 'openAsBlob') {
      wrapSync(name, name);
    } else if (name === 'watch' || name === 'watchFile' || name === 'unwatchFile') {
      wrapSync(name, name);
      if (name === 'watch') wrapPromise(name);
    } else {
      wrapCallback(name);
      wrapSync(`${name}Sync`, name);
      wrapPromise(name);
    }
  }
  for (const name of descriptorFunctions) {
    wrapDescriptor(name);
    wrapDescriptor(`${name}Sync`);
  }
}
