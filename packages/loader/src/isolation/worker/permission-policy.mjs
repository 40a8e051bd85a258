import fs from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPermissionError } from './permission-error.mjs';
import {
  regexpExec,
  SafeSet,
  SafeString,
  SafeTypeError,
  SafeUint8Array,
  SafeURL,
  setAdd,
  setHas,
  stringEndsWith,
  stringLastIndexOf,
  stringSlice,
  stringStartsWith,
  stringToLowerCase,
} from './primordials.mjs';

// Captured before the file-system guard replaces them, so the policy itself is never gated.
const realpathNative = fs.realpathSync.native;
const lstatSync = fs.lstatSync;
const readlinkSync = fs.readlinkSync;
const { S_IFMT, S_IFLNK } = fs.constants;
// Captured too: the path module object is shared with the plugin, which may reassign its members.
// Only functions that call no other path member are used (path.relative and path.join call
// path.resolve and path.normalize through the object, so they are not).
const { resolve: resolvePath, dirname, basename, sep } = path;
const { Buffer } = globalThis;
const decodeBytes = (bytes) => Buffer.from(bytes).toString('utf8');

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

/** Strips the `node:` scheme from a built-in module name. */
export function normalizeBuiltinName(name) {
  const text = SafeString(name);
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
      const stats = lstatSync(absolute, { throwIfNoEntry: false });
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

/** Turns what fs accepts as a path (string, Buffer, file: URL) into a string, or throws like fs does. */
export function pathArgumentToString(value) {
  if (typeof value === 'string') return value;
  if (value instanceof SafeUint8Array) return decodeBytes(value);
  if (value !== null && typeof value === 'object' && value.href !== undefined) {
    return fileURLToPath(new SafeURL(SafeString(value.href)));
  }
  const error = new SafeTypeError(`The "path" argument must be of type string, Buffer or URL`);
  error.code = 'ERR_INVALID_ARG_TYPE';
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

const hostPattern = /^(\*\.)?([A-Za-z0-9.-]+|\[[0-9a-fA-F:.]+\])(?::(\d{1,5}))?$/;

function parseDeclaredHost(declared) {
  const match = regexpExec(hostPattern, SafeString(declared));
  if (match === null) return undefined;
  let host = stringToLowerCase(match[2]);
  if (stringStartsWith(host, '[')) host = stringSlice(host, 1, -1);
  return { wildcard: match[1] !== undefined, host, port: match[3] };
}

/** Lowercases a host, strips IPv6 brackets and a trailing dot. */
export function normalizeHost(host) {
  let text = stringToLowerCase(SafeString(host));
  if (stringStartsWith(text, '[') && stringEndsWith(text, ']')) text = stringSlice(text, 1, -1);
  if (stringEndsWith(text, '.')) text = stringSlice(text, 0, -1);
  return text;
}

/**
 * Creates the permission policy of one isolated plugin: every check reports to the host (allowed
 * checks once per target, denials every time) and a denial throws PluginError PERMISSION_DENIED
 * naming the permission to add.
 */
export function createPermissionPolicy({ pluginId, pluginPath, permissions, report }) {
  const readRoots = [];
  const writeRoots = [];
  const realPluginPath = resolveRealPath(pluginPath);
  readRoots.push(realPluginPath);
  for (const declared of permissions.filesystem_read ?? []) {
    readRoots.push(resolveRealPath(expandDeclaredPath(declared, pluginPath)));
  }
  for (const declared of permissions.filesystem_write ?? []) {
    const root = resolveRealPath(expandDeclaredPath(declared, pluginPath));
    writeRoots.push(root);
    readRoots.push(root);
  }
  const hostRules = [];
  for (const declared of permissions.network_hosts ?? []) {
    const rule = parseDeclaredHost(declared);
    if (rule !== undefined) hostRules.push(rule);
  }
  const declaredEnvironment = new SafeSet(permissions.environment_variables ?? []);
  const reportedAllowed = new SafeSet();

  function record(capability, target, allowed) {
    if (allowed) {
      const key = `${capability}\u0000${target}`;
      if (setHas(reportedAllowed, key)) return;
      if (reportedAllowed.size < 10_000) setAdd(reportedAllowed, key);
    }
    report(capability, target, allowed);
  }

  function deny(capability, target, message) {
    record(capability, target, false);
    return createPermissionError(`Permission denied: plugin "${pluginId}" ${message}`, {
      pluginId,
      capability,
      target,
    });
  }

  function isAllowedPath(roots, resolved) {
    for (let index = 0; index < roots.length; index += 1) {
      if (isInside(roots[index], resolved)) return true;
    }
    return false;
  }

  /** Checks a path against the declared roots of `permission` and returns the resolved path to use. */
  function checkPath(permission, roots, verb, value, followLast) {
    const resolved = resolveRealPath(pathArgumentToString(value), followLast);
    if (!isAllowedPath(roots, resolved)) {
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

  /** Checks a connection to `host` (and `port`, when known) against permissions.network_hosts. */
  function checkHost(host, port) {
    const normalized = normalizeHost(host === undefined || host === null || host === '' ? 'localhost' : host);
    const portText = port === undefined || port === null || port === '' ? undefined : SafeString(port);
    const target = portText === undefined ? normalized : `${normalized}:${portText}`;
    for (let index = 0; index < hostRules.length; index += 1) {
      const rule = hostRules[index];
      const hostMatches = rule.wildcard
        ? stringEndsWith(normalized, `.${rule.host}`)
        : normalized === rule.host;
      if (hostMatches && (rule.port === undefined || rule.port === portText)) {
        record('network', target, true);
        return;
      }
    }
    const suggestion = stringLastIndexOf(normalized, ':') === -1 ? normalized : `[${normalized}]`;
    throw deny(
      'network',
      target,
      `may not connect to "${target}"; add "${suggestion}" to permissions.network_hosts`,
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

  /** Checks the file an import resolved to (a `file:` URL); throws unless it lies in a readable folder. */
  function checkImport(url) {
    const resolved = resolveRealPath(fileURLToPath(url));
    if (!isAllowedPath(readRoots, resolved)) {
      throw deny(
        'filesystem_read',
        resolved,
        `may not import "${resolved}"; add "${resolved}" (or its folder) to permissions.filesystem_read`,
      );
    }
    record('filesystem_read', resolved, true);
  }

  /** Checks a built-in module name; throws for a refused one. */
  function checkBuiltin(name) {
    const normalized = normalizeBuiltinName(name);
    if (!isBuiltinAllowed(normalized)) {
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
    checkRead,
    checkWrite,
    checkHost,
    checkEnvironment,
    checkBuiltin,
    checkImport,
    denyNetwork,
    denyEscapeHatch,
    readRoots,
    writeRoots,
  };
}
