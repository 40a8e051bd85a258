// The permission policy of one isolated plugin: what its manifest declares, as checks the guards
// call. Everything it uses is captured when this module is evaluated (before plugin code runs),
// and every options object it hands to Node has a null prototype, so neither a replaced built-in
// method nor a polluted Object.prototype changes a decision.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import url from 'node:url';
import util from 'node:util';
import { matchesHostRules, mayNameReachAddress, normalizeHost, parseHostRules } from './host-rules.mjs';
import { createPermissionError } from './permission-error.mjs';
import {
  decodeUtf8,
  defineProperty,
  mapGet,
  mapSet,
  mapSize,
  SafeMap,
  SafeSet,
  SafeString,
  SafeTypeError,
  SafeURL,
  setAdd,
  setHas,
  setSize,
  stringEndsWith,
  stringLastIndexOf,
  stringSlice,
  stringStartsWith,
  urlHref,
} from './primordials.mjs';

// Captured before the guards replace them, so the policy itself is never gated.
const realpathNative = fs.realpathSync.native;
const lstatSync = fs.lstatSync;
const readlinkSync = fs.readlinkSync;
const { S_IFMT, S_IFLNK } = fs.constants;
const homedir = os.homedir;
const fileURLToPath = url.fileURLToPath;
const isUint8Array = util.types.isUint8Array;
const isURLInstance = (value) => {
  try {
    urlHref(value);
    return true;
  } catch {
    return false;
  }
};
// The path module object is shared with the plugin, which may reassign its members. Only
// functions that call no other path member through the object are used.
const { resolve: resolvePath, dirname, basename, sep } = path;
const lstatOptions = { __proto__: null, throwIfNoEntry: false, bigint: false };

/** Built-in modules an isolated plugin may load; every other one (and every future one) is refused. */
const allowedBuiltins = new SafeSet([
  'assert',
  'assert/strict',
  'async_hooks',
  'buffer',
  'console',
  'constants',
  'crypto',
  'dgram',
  'diagnostics_channel',
  'dns',
  'dns/promises',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'path',
  'path/posix',
  'path/win32',
  'perf_hooks',
  'process',
  'punycode',
  'querystring',
  'readline',
  'readline/promises',
  'stream',
  'stream/consumers',
  'stream/promises',
  'stream/web',
  'string_decoder',
  'timers',
  'timers/promises',
  'tls',
  'tty',
  'url',
  'util',
  'util/types',
  'zlib',
]);

/**
 * Turns any module request into the one string that is checked and then loaded: a plugin's
 * `{ toString() }` object or `new String(...)` is converted once, so it cannot answer the check
 * one name and the loader another.
 */
export function coerceModuleRequest(request) {
  return typeof request === 'string' ? request : SafeString(request);
}

/** Strips the `node:` scheme from a built-in module name. */
export function normalizeBuiltinName(name) {
  const text = coerceModuleRequest(name);
  return stringStartsWith(text, 'node:') ? stringSlice(text, 5) : text;
}

/** Whether an isolated plugin may load this built-in module. */
export function isBuiltinAllowed(name) {
  return setHas(allowedBuiltins, normalizeBuiltinName(name));
}

const maximumSymlinkDepth = 40;

/**
 * Resolves a path the way the operating system will: absolute, normalised, every symlink followed
 * (also dangling ones, so a link to a file that does not exist yet cannot smuggle a write out). With
 * `followLast: false` the last component is kept as is, for calls that act on a link itself.
 */
export function resolveRealPath(target, followLast = true, depth = 0) {
  const absolute = resolvePath(target);
  if (followLast) {
    try {
      return realpathNative(absolute);
    } catch {
      // Missing (a file about to be created) or a dangling link: resolved below.
    }
    try {
      // The mode bits, not Stats#isSymbolicLink, which the plugin could replace.
      const stats = lstatSync(absolute, lstatOptions);
      if (stats !== undefined && (stats.mode & S_IFMT) === S_IFLNK && depth < maximumSymlinkDepth) {
        const linkTarget = resolvePath(dirname(absolute), readlinkSync(absolute));
        return resolveRealPath(linkTarget, true, depth + 1);
      }
    } catch {
      // Does not exist at all: resolve the parent.
    }
  }
  const parent = dirname(absolute);
  if (parent === absolute) return absolute;
  return resolvePath(resolveRealPath(parent, true, depth), basename(absolute));
}

/** Whether `target` is `root` or inside it (both already resolved). */
export function isInside(root, target) {
  if (target === root) return true;
  return stringStartsWith(target, stringEndsWith(root, sep) ? root : `${root}${sep}`);
}

/** Whether a resolved path lies inside one of `roots`. */
export function isInsideAny(roots, resolved) {
  for (let index = 0; index < roots.length; index += 1) {
    if (isInside(roots[index], resolved)) return true;
  }
  return false;
}

/** Turns what fs accepts as a path (string, Buffer, file: URL) into a string, or throws like fs does. */
export function pathArgumentToString(value) {
  if (typeof value === 'string') return value;
  if (isUint8Array(value)) return decodeUtf8(value);
  if (value !== null && typeof value === 'object') {
    // A real URL is read through the captured getter; anything else URL-like through its href, once.
    const href = isURLInstance(value) ? urlHref(value) : value.href;
    if (href !== undefined) return fileURLToPath(new SafeURL(SafeString(href)));
  }
  const error = new SafeTypeError('The "path" argument must be of type string, Buffer or URL');
  defineProperty(error, 'code', { value: 'ERR_INVALID_ARG_TYPE', enumerable: true, configurable: true });
  throw error;
}

function expandDeclaredPath(declared, pluginPath) {
  // `data/**` and `data/*` declare the folder, as the validator reads them.
  let text = SafeString(declared);
  if (stringEndsWith(text, '/**')) text = stringSlice(text, 0, -3);
  else if (stringEndsWith(text, '/*')) text = stringSlice(text, 0, -2);
  if (text === '') text = '.';
  if (text === '~' || stringStartsWith(text, '~/')) {
    return resolvePath(homedir(), `.${stringSlice(text, 1)}`);
  }
  return resolvePath(pluginPath, text);
}

/** The declared paths of a manifest, absolute (relative ones against the plugin folder), not resolved. */
export function expandDeclaredPaths(declaredPaths, pluginPath) {
  const expanded = [];
  const length = declaredPaths === undefined || declaredPaths === null ? 0 : declaredPaths.length;
  for (let index = 0; index < length; index += 1) {
    expanded[expanded.length] = expandDeclaredPath(declaredPaths[index], pluginPath);
  }
  return expanded;
}

const maximumRecordedTargets = 10_000;
const maximumRecordedAddresses = 4_096;

/**
 * Creates the permission policy of one isolated plugin: every check reports to the host (allowed
 * checks once per target, denials every time) and a denial throws PluginError PERMISSION_DENIED
 * naming the permission to add.
 */
export function createPermissionPolicy({ pluginId, pluginPath, permissions, report }) {
  const readRoots = [resolveRealPath(pluginPath)];
  const writeRoots = [];
  const declaredReads = expandDeclaredPaths(permissions.filesystem_read, pluginPath);
  for (let index = 0; index < declaredReads.length; index += 1) {
    readRoots[readRoots.length] = resolveRealPath(declaredReads[index]);
  }
  const declaredWrites = expandDeclaredPaths(permissions.filesystem_write, pluginPath);
  for (let index = 0; index < declaredWrites.length; index += 1) {
    const root = resolveRealPath(declaredWrites[index]);
    writeRoots[writeRoots.length] = root;
    readRoots[readRoots.length] = root;
  }
  const hostRules = parseHostRules(permissions.network_hosts);
  const declaredEnvironment = new SafeSet(permissions.environment_variables ?? []);
  const reportedAllowed = new SafeSet();
  // Addresses a declared name resolved to through the real resolver (or declared literally), with
  // the ports its rule allows: the native-handle guard lets sockets reach only these.
  const allowedAddresses = new SafeMap();

  function record(capability, target, allowed) {
    if (allowed) {
      const key = `${capability}\u0000${target}`;
      if (setHas(reportedAllowed, key)) return;
      if (setSize(reportedAllowed) < maximumRecordedTargets) setAdd(reportedAllowed, key);
    }
    report(capability, target, allowed);
  }

  function deny(capability, target, message) {
    record(capability, target, false);
    return createPermissionError(`Permission denied: plugin "${pluginId}" ${message}`, {
      __proto__: null,
      pluginId,
      capability,
      target,
    });
  }

  /** Checks a path against the declared roots of `permission` and returns the resolved path to use. */
  function checkPath(permission, roots, verb, value, followLast) {
    const resolved = resolveRealPath(pathArgumentToString(value), followLast);
    if (!isInsideAny(roots, resolved)) {
      throw deny(
        permission,
        resolved,
        `may not ${verb} "${resolved}"; add "${resolved}" (or its folder) to permissions.${permission}`,
      );
    }
    record(permission, resolved, true);
    return resolved;
  }

  /** Checks a read and returns the resolved path to use in its place. */
  function checkRead(value, followLast = true) {
    return checkPath('filesystem_read', readRoots, 'read', value, followLast);
  }

  /** Checks a write and returns the resolved path to use in its place. */
  function checkWrite(value, followLast = true) {
    return checkPath('filesystem_write', writeRoots, 'write', value, followLast);
  }

  /** Whether a host and port (as text or undefined) are declared, without reporting. */
  function isHostDeclared(host, port) {
    return matchesHostRules(hostRules, host, port);
  }

  /**
   * Checks a connection to `host` (and `port`, when known) against permissions.network_hosts and
   * returns the normalised host.
   */
  function checkHost(host, port) {
    const text = host === undefined || host === null || host === '' ? 'localhost' : SafeString(host);
    const normalized = normalizeHost(text);
    const portText = port === undefined || port === null || port === '' ? undefined : SafeString(port);
    const target = portText === undefined ? normalized : `${normalized}:${portText}`;
    if (matchesHostRules(hostRules, normalized, portText)) {
      record('network', target, true);
      return normalized;
    }
    const suggestion = stringLastIndexOf(normalized, ':') === -1 ? normalized : `[${normalized}]`;
    throw deny(
      'network',
      target,
      `may not connect to "${target}"; add "${suggestion}" to permissions.network_hosts`,
    );
  }

  /** Records that a declared `host` resolved to `address` (the ports its rules allow come along). */
  function rememberAddress(host, address) {
    const normalized = normalizeHost(host);
    const key = normalizeHost(address);
    if (mapSize(allowedAddresses) >= maximumRecordedAddresses) return;
    let hosts = mapGet(allowedAddresses, key);
    if (hosts === undefined) {
      hosts = [];
      mapSet(allowedAddresses, key, hosts);
    }
    for (let index = 0; index < hosts.length; index += 1) if (hosts[index] === normalized) return;
    if (hosts.length < 64) defineProperty(hosts, hosts.length, { value: normalized, enumerable: true });
  }

  /**
   * Whether a socket may reach `address` (an IP) on `port`: the address is declared literally, or
   * the real resolver gave it for a declared name whose rule allows the port and that may lead
   * there (a name never leads to an internal address, except `localhost` to loopback).
   */
  function isAddressAllowed(address, port) {
    const key = normalizeHost(address);
    const portText = port === undefined || port === null ? undefined : SafeString(port);
    if (matchesHostRules(hostRules, key, portText)) return true;
    const hosts = mapGet(allowedAddresses, key);
    if (hosts === undefined) return false;
    // Any declared name behind this address whose rule allows the port.
    for (let index = 0; index < hosts.length; index += 1) {
      if (matchesHostRules(hostRules, hosts[index], portText) && mayNameReachAddress(hosts[index], key)) {
        return true;
      }
    }
    return false;
  }

  /** Refuses a declared name that resolved to an internal address (DNS rebinding, metadata, loopback). */
  function denyInternalAddress(host, address) {
    const target = `${normalizeHost(host)} (${address})`;
    return deny(
      'network',
      target,
      `may not reach "${normalizeHost(host)}" at ${address}: a declared name may lead only to public addresses, not to loopback, private, link-local or cloud metadata ones; add "${stringLastIndexOf(address, ':') === -1 ? address : `[${address}]`}" to permissions.network_hosts if the plugin must reach that address`,
    );
  }

  /** Refuses a network operation no permission can grant yet (listening, local sockets). */
  function denyNetwork(target, what) {
    return deny('network', target, `may not ${what} ("${target}"): isolated plugins cannot be granted this`);
  }

  /** Whether an environment variable is declared; reports the read either way. */
  function checkEnvironment(name) {
    const allowed = setHas(declaredEnvironment, name);
    record('environment_variables', name, allowed);
    return allowed;
  }

  /** Checks a built-in module name (already coerced to a string); throws for a refused one. */
  function checkBuiltin(name) {
    const normalized = normalizeBuiltinName(name);
    if (!setHas(allowedBuiltins, normalized)) {
      throw deny(
        'builtin',
        `node:${normalized}`,
        `may not load the built-in module "node:${normalized}": it is not available to isolated plugins (no permission grants it; run the plugin with isolation "none" if it must)`,
      );
    }
    record('builtin', `node:${normalized}`, true);
  }

  /** Refuses an escape hatch outright (process.binding, process.dlopen, ...). */
  function denyEscapeHatch(capability, target) {
    return deny(
      capability,
      target,
      `may not use ${target}: it is not available to isolated plugins (no permission grants it)`,
    );
  }

  return {
    pluginId,
    checkRead,
    checkWrite,
    checkHost,
    isHostDeclared,
    rememberAddress,
    isAddressAllowed,
    denyInternalAddress,
    checkEnvironment,
    checkBuiltin,
    denyNetwork,
    denyEscapeHatch,
    deny,
    record,
    readRoots,
    writeRoots,
  };
}
