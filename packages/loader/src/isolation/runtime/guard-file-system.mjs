// The file-system guard of an isolated plugin: every fs and fs/promises function checks its path
// arguments against the declared paths (resolved through symlinks, and the resolved path is what
// Node then opens), decides read or write by the flags it will really open with, accepts only the
// descriptors and file handles this plugin opened itself, and withholds recursive listings that
// lead out through a symlink. Functions it does not know (a newer Node's) are refused.
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import {
  descriptorFunctions,
  descriptorUses,
  handleChanges,
  isReadOnlyFlags,
  isWriteOnlyFlags,
  maximumOpenDescriptors,
  passThrough,
  rules,
} from './file-system-rules.mjs';
import { isInsideAny, pathArgumentToString, resolveRealPath } from './permission-policy.mjs';
import {
  apply,
  arrayWith,
  copyArray,
  decodeUtf8,
  defineProperty,
  getOwnPropertyDescriptor,
  lockProperty,
  mapDelete,
  mapGet,
  mapHas,
  mapSet,
  nextTick,
  objectGetOwnPropertyNames,
  objectGetOwnPropertySymbols,
  objectHasOwn,
  ownValue,
  promiseReject,
  promiseThen,
  SafeError,
  SafeMap,
  SafeSet,
  SafeWeakSet,
  setAdd,
  setDelete,
  setHas,
  setSize,
  snapshotOptions,
  stringEndsWith,
  stringSlice,
  uncurryThis,
  weakSetAdd,
  weakSetDelete,
  weakSetHas,
} from './primordials.mjs';

const { resolve: resolvePath, dirname } = path;
const isUint8Array = util.types.isUint8Array;

/**
 * Replaces the file-system functions of `fs` and `fs/promises` (callback, sync, promise and
 * stream forms) with checked versions, and the methods of `FileHandle` with versions that work
 * only on handles this plugin opened.
 */
export function guardFileSystem(policy) {
  const promises = fs.promises;
  // Descriptors the plugin opened itself (the descriptor table is shared with the host in a worker);
  // standard output and error are its console.
  const ownedDescriptors = new SafeSet([1, 2]);
  // Descriptors opened read-only, with the path they were opened from (a change through one is a
  // write of that path), and the console's, which in a worker are the host's own standard output
  // and error: the plugin may write to them, never read, close, truncate or chmod them.
  const readOnlyDescriptors = new SafeMap();
  const consoleDescriptor = "the host's standard output or error";
  mapSet(readOnlyDescriptors, 1, consoleDescriptor);
  mapSet(readOnlyDescriptors, 2, consoleDescriptor);
  // FileHandles it opened, kept referenced until closed: a handle closed by the garbage collector
  // would free its descriptor number for the host while it is still listed as the plugin's.
  const ownedHandles = new SafeWeakSet();
  const liveHandles = new SafeMap();
  let fileHandleDescriptor;

  function denyDescriptor(descriptor) {
    return policy.denyEscapeHatch('filesystem_read', `file descriptor ${descriptor}, which it did not open`);
  }

  function checkDescriptor(descriptor, use) {
    if (typeof descriptor !== 'number' || !setHas(ownedDescriptors, descriptor)) {
      throw denyDescriptor(descriptor);
    }
    if (use === undefined || !mapHas(readOnlyDescriptors, descriptor)) return;
    const openedFrom = mapGet(readOnlyDescriptors, descriptor);
    if (openedFrom === consoleDescriptor) {
      if (use === 'write') return;
      throw policy.denyEscapeHatch(
        'filesystem_write',
        `file descriptor ${descriptor} (${consoleDescriptor}) for more than writing`,
      );
    }
    // A change through a descriptor opened read-only writes the file: allowed where writes are.
    if (use === 'change') policy.checkWrite(openedFrom, true);
  }

  /** Remembers a descriptor opened with read-only flags, and the (checked) path it was opened from. */
  function rememberOpen(descriptor, checked, flags) {
    if (typeof descriptor !== 'number') return;
    if (isReadOnlyFlags(flags) && typeof checked[0] === 'string')
      mapSet(readOnlyDescriptors, descriptor, checked[0]);
    else mapDelete(readOnlyDescriptors, descriptor);
  }

  function forgetDescriptor(descriptor) {
    setDelete(ownedDescriptors, descriptor);
    mapDelete(liveHandles, descriptor);
    mapDelete(readOnlyDescriptors, descriptor);
  }

  function isOwnedHandle(value) {
    return value !== null && typeof value === 'object' && weakSetHas(ownedHandles, value);
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

  /** The flags a call will open with, from the (already copied) arguments. */
  function flagsOf(rule, args) {
    const { at, options, fallback } = rule.flags;
    const value = args[at];
    if (options === undefined) return value === undefined || value === null ? fallback : value;
    if (value === null || typeof value !== 'object') return fallback;
    const flags = value[options];
    return flags === undefined || flags === null ? fallback : flags;
  }

  /** Refuses an open past the plugin's budget, as the OS refuses one past the process's. */
  function checkDescriptorBudget(name) {
    if (setSize(ownedDescriptors) - 2 + openDirectories + runningOpens < maximumOpenDescriptors) return;
    const error = new SafeError(
      `EMFILE: too many open files, ${name}: plugin "${policy.pluginId}" holds ${maximumOpenDescriptors} open descriptors, all an isolated plugin may hold at once; close some first`,
    );
    defineProperty(error, 'code', { value: 'EMFILE', enumerable: true, configurable: true, writable: true });
    defineProperty(error, 'errno', { value: -24, enumerable: true, configurable: true, writable: true });
    defineProperty(error, 'syscall', { value: name, enumerable: true, configurable: true, writable: true });
    throw error;
  }

  /** Checks every path and descriptor argument; returns the arguments to pass on. */
  function checkArguments(name, args) {
    const rule = rules[name];
    if (rule.opens || rule.directory) checkDescriptorBudget(name);
    let checked = copyArray(args);
    // Options objects are copied once (null prototype), so a getter cannot answer the check one
    // thing and Node another, and a polluted Object.prototype adds nothing.
    if (rule.flags !== undefined && rule.flags.options !== undefined) {
      const options = checked[rule.flags.at];
      if (options !== null && typeof options === 'object') {
        checked = arrayWith(checked, rule.flags.at, snapshotOptions(options));
      }
    }
    if (rule.listing || rule.noRecursive || rule.noDereference) {
      const at = rule.noDereference ? 2 : 1;
      const options = checked[at];
      if (options !== null && typeof options === 'object') {
        const copy = snapshotOptions(options);
        checked = arrayWith(checked, at, copy);
        if (rule.noRecursive && copy.recursive) {
          throw policy.denyEscapeHatch(
            'filesystem_read',
            `fs.${name} with recursive: true (list with readdir)`,
          );
        }
        if (rule.noDereference && copy.dereference) {
          throw policy.denyEscapeHatch('filesystem_read', `fs.${name} with dereference: true`);
        }
      }
    }
    const flags = rule.flags === undefined ? undefined : flagsOf(rule, checked);
    const readOnly = isReadOnlyFlags(flags);
    if (rule.symlink) {
      // The link is written; its target is read through it later, so it must be readable. The
      // decoded target is what is passed on, so it cannot decode differently a second time.
      const linkPath = policy.checkWrite(checked[1], false);
      const target = pathArgumentToString(checked[0]);
      policy.checkRead(resolvePath(dirname(linkPath), target), true);
      checked = arrayWith(arrayWith(checked, 0, target), 1, linkPath);
      return checked;
    }
    const pathRules = rule.paths;
    for (let index = 0; index < pathRules.length; index += 1) {
      const pair = pathRules[index];
      const position = pair[0];
      let mode = pair[1];
      const value = checked[position];
      if (typeof value === 'number') {
        // readFile, writeFile and appendFile also take a descriptor.
        checkDescriptor(value, mode === 'read' ? 'read' : 'write');
        continue;
      }
      if (isOwnedHandle(value)) continue;
      if (value === null && rule.stream) continue;
      // A read whose flags can write (readFile with flag 'w', a read stream opened 'r+') is a write.
      if (mode === 'read' && rule.flags !== undefined && !readOnly) mode = 'open';
      if (value !== null && typeof value === 'object' && !isUint8Array(value) && value.href === undefined) {
        // Looks like a FileHandle but is not one this plugin opened.
        throw denyDescriptor(value.fd);
      }
      checked = arrayWith(checked, position, checkPath(value, mode, flags));
    }
    if (rule.stream) {
      const options = checked[1];
      if (options !== null && typeof options === 'object') {
        const copy = snapshotOptions(options);
        checked = arrayWith(checked, 1, copy);
        const descriptor = copy.fd;
        if (descriptor !== undefined && descriptor !== null && !isOwnedHandle(descriptor)) {
          checkDescriptor(descriptor, pathRules[0][1] === 'read' ? 'read' : 'write');
        }
      }
    }
    return checked;
  }

  /** After a recursive listing: every entry must lie in a readable folder (symlinked folders lead out). */
  function checkListing(base, options, entries) {
    if (options === null || typeof options !== 'object' || !options.recursive) return entries;
    const roots = policy.readRoots;
    for (let index = 0; index < entries.length; index += 1) {
      const entry = entries[index];
      let parent;
      let name;
      if (typeof entry === 'string') {
        const joined = resolvePath(base, entry);
        parent = dirname(joined);
        name = joined;
      } else if (isUint8Array(entry)) {
        const joined = resolvePath(base, decodeUtf8(entry));
        parent = dirname(joined);
        name = joined;
      } else {
        // A Dirent: read as own data properties only.
        parent = ownValue(entry, 'parentPath') ?? ownValue(entry, 'path');
        name = ownValue(entry, 'name');
        if (typeof parent !== 'string')
          throw policy.denyEscapeHatch('filesystem_read', 'a forged directory entry');
        name = resolvePath(parent, typeof name === 'string' ? name : '');
      }
      const resolvedParent = resolveRealPath(parent, true);
      if (!isInsideAny(roots, resolvedParent)) policy.checkRead(resolvedParent, true);
    }
    return entries;
  }

  function trackDescriptor(descriptor) {
    if (typeof descriptor === 'number') setAdd(ownedDescriptors, descriptor);
    return descriptor;
  }

  // Asynchronous readFile, writeFile and appendFile of a path open a descriptor of their own and
  // hold it until they finish: thousands started at once would hold thousands (the opens all run
  // before the reads), so those running count against the budget too.
  let runningOpens = 0;

  /** Whether a call of `rule` opens (and holds, while it runs) a descriptor of its own. */
  function holdsOwnDescriptor(rule, checked) {
    if (!rule.holds) return false;
    const target = checked[0];
    return typeof target !== 'number' && !isOwnedHandle(target);
  }

  /** Counts a running call until `callback` is called; returns the callback to pass on. */
  function holdUntilCalled(name, callback) {
    checkDescriptorBudget(name);
    runningOpens += 1;
    let released = false;
    return function (...results) {
      if (!released) {
        released = true;
        runningOpens -= 1;
      }
      return apply(callback, this, results);
    };
  }

  // Open directories (fs.Dir) hold a descriptor each until closed: they count against the budget.
  const openDirectoryObjects = new SafeWeakSet();
  let openDirectories = 0;

  function trackDirectory(directory) {
    if (directory !== null && typeof directory === 'object' && !weakSetHas(openDirectoryObjects, directory)) {
      weakSetAdd(openDirectoryObjects, directory);
      openDirectories += 1;
    }
    return directory;
  }

  // Closing a directory (close, closeSync, the end of its async iteration) gives its descriptor back.
  const DirPrototype = fs.Dir === undefined ? undefined : fs.Dir.prototype;
  for (const closeName of ['close', 'closeSync']) {
    const originalClose = DirPrototype === undefined ? undefined : DirPrototype[closeName];
    if (typeof originalClose !== 'function') continue;
    defineProperty(DirPrototype, closeName, {
      value: nameLike(function (...args) {
        if (weakSetHas(openDirectoryObjects, this)) {
          weakSetDelete(openDirectoryObjects, this);
          openDirectories -= 1;
        }
        return apply(originalClose, this, args);
      }, originalClose),
      writable: true,
      configurable: true,
    });
  }

  function trackHandle(handle, checked, flags) {
    weakSetAdd(ownedHandles, handle);
    const descriptor = fileHandleDescriptor(handle);
    setAdd(ownedDescriptors, descriptor);
    mapSet(liveHandles, descriptor, handle);
    rememberOpen(descriptor, checked, flags);
    return handle;
  }

  function nameLike(guarded, original) {
    defineProperty(guarded, 'name', { value: original.name, configurable: true });
    defineProperty(guarded, 'length', { value: original.length, configurable: true });
    return guarded;
  }

  function deliverError(args, error, name) {
    const callback = args[args.length - 1];
    if (typeof callback !== 'function') throw error;
    // fs.exists' callback takes no error: a refused path does not exist for the plugin.
    nextTick(callback, name === 'exists' ? false : error);
    return undefined;
  }

  // Replaced, not locked: a plugin that reassigns a member afterwards can only reach the guarded
  // version, and libraries that patch fs (graceful-fs) keep working.
  function replace(target, name, guarded) {
    defineProperty(target, name, { value: guarded, writable: true, enumerable: true, configurable: true });
  }

  function wrapSync(functionName, ruleName) {
    const original = fs[functionName];
    if (typeof original !== 'function') return;
    const rule = rules[ruleName];
    const guarded = function (...args) {
      const checked = checkArguments(ruleName, args);
      const result = apply(original, this, checked);
      if (rule.opens) rememberOpen(trackDescriptor(result), checked, flagsOf(rule, checked));
      if (rule.directory) trackDirectory(result);
      if (rule.listing) return checkListing(checked[0], checked[1], result);
      return result;
    };
    if (typeof original.native === 'function') {
      const native = original.native;
      guarded.native = function (...args) {
        return apply(native, this, checkArguments(ruleName, args));
      };
    }
    replace(fs, functionName, nameLike(guarded, original));
  }

  function wrapCallback(name) {
    const original = fs[name];
    if (typeof original !== 'function') return;
    const rule = rules[name];
    const wrapCallbackArgument = (checked, onResult) => {
      const last = checked.length - 1;
      const callback = checked[last];
      if (typeof callback !== 'function') return checked;
      return arrayWith(checked, last, (error, result) => {
        if (error) {
          callback(error);
          return;
        }
        let value = result;
        try {
          value = onResult(result);
        } catch (denied) {
          callback(denied);
          return;
        }
        callback(null, value);
      });
    };
    const guarded = function (...args) {
      let checked;
      try {
        checked = checkArguments(name, args);
      } catch (error) {
        return deliverError(args, error, name);
      }
      if (rule.opens) {
        const opened = checked;
        checked = wrapCallbackArgument(checked, (descriptor) => {
          rememberOpen(trackDescriptor(descriptor), opened, flagsOf(rule, opened));
          return descriptor;
        });
      }
      if (rule.directory) checked = wrapCallbackArgument(checked, trackDirectory);
      if (holdsOwnDescriptor(rule, checked) && typeof checked[checked.length - 1] === 'function') {
        try {
          checked = arrayWith(
            checked,
            checked.length - 1,
            holdUntilCalled(name, checked[checked.length - 1]),
          );
        } catch (error) {
          return deliverError(args, error, name);
        }
      }
      if (rule.listing) {
        const base = checked[0];
        const options = checked[1];
        checked = wrapCallbackArgument(checked, (entries) => checkListing(base, options, entries));
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
          return deliverError(args, error, name);
        }
        return apply(native, this, checked);
      };
    }
    replace(fs, name, nameLike(guarded, original));
  }

  function wrapPromise(name) {
    const original = promises[name];
    if (typeof original !== 'function') return;
    const rule = rules[name];
    replace(
      promises,
      name,
      nameLike(function (...args) {
        let checked;
        try {
          checked = checkArguments(name, args);
        } catch (error) {
          return promiseReject(error);
        }
        if (holdsOwnDescriptor(rule, checked)) {
          let release;
          try {
            release = holdUntilCalled(name, (value) => value);
          } catch (error) {
            return promiseReject(error);
          }
          return promiseThen(apply(original, this, checked), release, (error) => {
            release();
            throw error;
          });
        }
        const result = apply(original, this, checked);
        if (rule.opens)
          return promiseThen(result, (handle) => trackHandle(handle, checked, flagsOf(rule, checked)));
        if (rule.directory) return promiseThen(result, trackDirectory);
        if (rule.listing)
          return promiseThen(result, (entries) => checkListing(checked[0], checked[1], entries));
        return result;
      }, original),
    );
  }

  function wrapDescriptor(name) {
    const original = fs[name];
    if (typeof original !== 'function') return;
    const isSync = stringEndsWith(name, 'Sync');
    const closes = name === 'close' || name === 'closeSync';
    const use = descriptorUses[isSync ? stringSlice(name, 0, -4) : name] ?? 'write';
    replace(
      fs,
      name,
      nameLike(function (...args) {
        const descriptor = args[0];
        try {
          checkDescriptor(descriptor, use);
        } catch (error) {
          if (isSync) throw error;
          return deliverError(args, error, name);
        }
        const result = apply(original, this, args);
        if (closes) forgetDescriptor(descriptor);
        return result;
      }, original),
    );
  }

  function denyUnknown(target, name, prefix) {
    const descriptor = getOwnPropertyDescriptor(target, name);
    if (
      descriptor === undefined ||
      !objectHasOwn(descriptor, 'value') ||
      typeof descriptor.value !== 'function'
    ) {
      return;
    }
    replace(target, name, function denied() {
      throw policy.denyEscapeHatch('filesystem_read', `${prefix}${name} (not available to isolated plugins)`);
    });
  }

  // FileHandle: its class is reachable from any handle, and its methods read the descriptor from
  // the object they are called on. Only handles this plugin opened are accepted, and only while
  // their descriptor is still the plugin's; the class cannot be constructed from plugin code.
  function guardFileHandleClass(FileHandlePrototype) {
    fileHandleDescriptor = uncurryThis(getOwnPropertyDescriptor(FileHandlePrototype, 'fd').get);
    const guardMethod = (key) => {
      const descriptor = getOwnPropertyDescriptor(FileHandlePrototype, key);
      if (descriptor === undefined || typeof descriptor.value !== 'function' || key === 'constructor') return;
      const original = descriptor.value;
      const guarded = function (...args) {
        const owned = isOwnedHandle(this);
        const descriptorNumber = owned ? fileHandleDescriptor(this) : undefined;
        if (!owned || !setHas(ownedDescriptors, descriptorNumber)) {
          return promiseReject(denyDescriptor(owned ? descriptorNumber : 'of a forged FileHandle'));
        }
        if (setHas(handleChanges, key)) {
          try {
            checkDescriptor(descriptorNumber, 'change');
          } catch (error) {
            return promiseReject(error);
          }
        }
        const result = apply(original, this, args);
        // [Symbol.asyncDispose] closes through close(), which lands here too.
        if (key !== 'close') return result;
        return promiseThen(result, (value) => {
          forgetDescriptor(descriptorNumber);
          return value;
        });
      };
      defineProperty(FileHandlePrototype, key, {
        value: nameLike(guarded, original),
        writable: true,
        configurable: true,
      });
    };
    const names = objectGetOwnPropertyNames(FileHandlePrototype);
    for (let index = 0; index < names.length; index += 1) guardMethod(names[index]);
    const symbols = objectGetOwnPropertySymbols(FileHandlePrototype);
    for (let index = 0; index < symbols.length; index += 1) guardMethod(symbols[index]);
    lockProperty(FileHandlePrototype, 'constructor', function FileHandle() {
      throw policy.denyEscapeHatch('filesystem_read', 'the FileHandle constructor');
    });
  }

  const ruleNames = objectGetOwnPropertyNames(rules);
  for (let index = 0; index < ruleNames.length; index += 1) {
    const name = ruleNames[index];
    if (name === 'createReadStream' || name === 'createWriteStream' || name === 'openAsBlob') {
      wrapSync(name, name);
    } else if (name === 'watch' || name === 'watchFile' || name === 'unwatchFile') {
      wrapSync(name, name);
      if (name === 'watch') wrapPromise(name);
    } else if (name === 'mkdtempDisposable') {
      wrapSync('mkdtempDisposableSync', name);
      wrapPromise(name);
    } else {
      wrapCallback(name);
      wrapSync(`${name}Sync`, name);
      wrapPromise(name);
    }
  }
  for (let index = 0; index < descriptorFunctions.length; index += 1) {
    wrapDescriptor(descriptorFunctions[index]);
    wrapDescriptor(`${descriptorFunctions[index]}Sync`);
  }

  // Whatever is left is unknown to this guard (fs.glob, and what newer Node versions add): refused.
  const known = new SafeSet();
  for (let index = 0; index < ruleNames.length; index += 1) {
    const name = ruleNames[index];
    setAdd(known, name);
    setAdd(known, `${name}Sync`);
  }
  setAdd(known, 'mkdtempDisposableSync');
  for (let index = 0; index < descriptorFunctions.length; index += 1) {
    setAdd(known, descriptorFunctions[index]);
    setAdd(known, `${descriptorFunctions[index]}Sync`);
  }
  const fsNames = objectGetOwnPropertyNames(fs);
  for (let index = 0; index < fsNames.length; index += 1) {
    const name = fsNames[index];
    if (!setHas(known, name) && !setHas(passThrough, name)) denyUnknown(fs, name, 'fs.');
  }
  const promiseNames = objectGetOwnPropertyNames(promises);
  for (let index = 0; index < promiseNames.length; index += 1) {
    const name = promiseNames[index];
    if (!setHas(known, name) && name !== 'constants') denyUnknown(promises, name, 'fs.promises.');
  }

  return {
    /** Takes the FileHandle class away from plugin code; called with a handle the runtime opened. */
    guardFileHandleClass,
  };
}
