// The network guard of an isolated plugin, at the level of Node's JavaScript APIs: it names what
// to declare before a request starts (fetch of a URL, dgram, dns), and `net.Socket#connect`,
// where every TCP client ends (http, https, http2, tls and fetch included), checks the host and port, forbids local
// sockets and custom lookups, and resolves declared names with a lookup that records what the
// real resolver answered (the native-handle guard lets sockets reach only those addresses). With
// the process tier's OS sandbox, a checked connection is sent to the in-sandbox forwarder of its
// destination instead, which reaches it through the host's allow-list proxy.
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';
import tty from 'node:tty';
import { mayNameReachAddress, normalizeHost } from './host-rules.mjs';
import { isPermissionError } from './permission-error.mjs';
import {
  apply,
  arrayAppend,
  arrayWith,
  construct,
  copyArray,
  defineProperty,
  isArray,
  nextTick,
  objectGetOwnPropertyNames,
  ownValue,
  promiseReject,
  promiseThen,
  SafeNumber,
  SafeProxy,
  SafeString,
  SafeURL,
  snapshotOptions,
  stringStartsWith,
  urlHostname,
  urlHref,
  urlPort,
  urlProtocol,
} from './primordials.mjs';

const defaultPorts = { __proto__: null, 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };
const isIP = net.isIP;
const originalLookup = dns.lookup;
function isURLInstance(value) {
  try {
    urlHref(value);
    return true;
  } catch {
    return false;
  }
}

/** Checks a URL (string, once parsed) and returns the parsed URL. */
function checkUrl(policy, text) {
  const url = new SafeURL(SafeString(text));
  const port = urlPort(url);
  policy.checkHost(urlHostname(url), port === '' ? defaultPorts[urlProtocol(url)] : port);
  return url;
}

/**
 * Normalises the arguments of `net.Socket#connect` the way Node does, into a null-prototype copy
 * of the options (each property read once) and the callback.
 */
function normalizeConnectArguments(args) {
  const first = args[0];
  if (isArray(first)) {
    // net.connect() passes its normalised [options, callback] array, marked by an internal symbol.
    return { options: snapshotOptions(first[0]) ?? { __proto__: null }, callback: first[1] };
  }
  const last = args[args.length - 1];
  const callback = typeof last === 'function' ? last : undefined;
  if (first !== null && typeof first === 'object') return { options: snapshotOptions(first), callback };
  const options = { __proto__: null };
  if (typeof first === 'string' && !(SafeNumber(first) >= 0)) {
    options.path = first;
  } else {
    options.port = first;
    if (args.length > 1 && typeof args[1] === 'string') options.host = args[1];
  }
  return { options, callback };
}

/**
 * Installs the JavaScript-level network checks. `proxy` (process tier with an OS sandbox) gives
 * the loopback port of the forwarder that reaches a declared host and port.
 */
export function guardNetwork(policy, { proxy } = {}) {
  /**
   * dns.lookup for a checked name: remembers what the real resolver answered, and keeps only the
   * addresses the name may lead to (never an internal one: DNS rebinding); none left is a denial.
   */
  function createRecordingLookup(checkedHost) {
    return function lookup(hostname, lookupOptions, callback) {
      const name = SafeString(hostname);
      if (normalizeHost(name) !== checkedHost) policy.checkHost(name, undefined);
      return apply(originalLookup, dns, [
        name,
        lookupOptions,
        (error, address, family) => {
          if (error) {
            callback(error, address, family);
            return;
          }
          rememberAll(name, address);
          if (isArray(address)) {
            const reachable = [];
            let refused;
            for (let index = 0; index < address.length; index += 1) {
              const entry = address[index];
              const text = entry !== null && typeof entry === 'object' ? SafeString(entry.address) : '';
              if (mayNameReachAddress(name, text)) arrayAppend(reachable, entry);
              else refused ??= text;
            }
            if (reachable.length === 0 && refused !== undefined) {
              callback(policy.denyInternalAddress(name, refused));
              return;
            }
            callback(null, reachable, family);
            return;
          }
          if (typeof address === 'string' && !mayNameReachAddress(name, address)) {
            callback(policy.denyInternalAddress(name, address));
            return;
          }
          callback(null, address, family);
        },
      ]);
    };
  }

  function rememberAll(name, address) {
    if (isArray(address)) {
      for (let index = 0; index < address.length; index += 1) {
        const entry = address[index];
        if (entry !== null && typeof entry === 'object')
          policy.rememberAddress(name, SafeString(entry.address));
      }
    } else if (typeof address === 'string') {
      policy.rememberAddress(name, address);
    }
  }

  function checkConnectOptions(options) {
    if (options.path !== undefined && options.path !== null) {
      throw policy.denyNetwork(`unix:${SafeString(options.path)}`, 'connect to a local socket');
    }
    if (options.fd !== undefined && options.fd !== null) {
      throw policy.denyNetwork(`fd:${SafeString(options.fd)}`, 'open a socket over an existing descriptor');
    }
    const host = options.host === undefined || options.host === null ? 'localhost' : SafeString(options.host);
    // The host check is by name: a custom lookup could answer any address for a declared name.
    if (options.lookup !== undefined && options.lookup !== null) {
      throw policy.denyNetwork(host, 'resolve a declared host with its own lookup function');
    }
    const port = options.port;
    const checkedHost = policy.checkHost(host, port);
    if (proxy !== undefined) {
      options.host = '127.0.0.1';
      options.port = proxy.tcpPortFor(checkedHost, SafeString(port));
      options.family = 4;
      options.autoSelectFamily = false;
      options.localAddress = undefined;
      options.localPort = undefined;
      options.hints = undefined;
      return;
    }
    options.host = host;
    if (isIP(host) === 0) options.lookup = createRecordingLookup(checkedHost);
  }

  function replaceMethod(target, name, makeGuarded) {
    const original = target[name];
    if (typeof original !== 'function') return;
    const guarded = makeGuarded(original);
    defineProperty(guarded, 'name', { value: original.name, configurable: true });
    defineProperty(target, name, { value: guarded, writable: true, enumerable: true, configurable: true });
  }

  replaceMethod(
    net.Socket.prototype,
    'connect',
    (original) =>
      function (...args) {
        const { options, callback } = normalizeConnectArguments(args);
        checkConnectOptions(options);
        return apply(original, this, callback === undefined ? [options] : [options, callback]);
      },
  );
  // A socket over an existing descriptor would reach whatever the process has open (the TCP and
  // pipe handles refuse it too; this names it before Node looks at the descriptor's type).
  const denySocketOptions = (args) => {
    const options = args[0];
    if (options === null || typeof options !== 'object') return;
    const descriptor = options.fd;
    if (descriptor !== undefined && descriptor !== null) {
      throw policy.denyNetwork(`fd:${SafeString(descriptor)}`, 'open a socket over an existing descriptor');
    }
  };
  const GuardedSocket = new SafeProxy(net.Socket, {
    construct(target, args, newTarget) {
      denySocketOptions(args);
      return construct(target, args, newTarget);
    },
    apply(target, thisArgument, args) {
      denySocketOptions(args);
      return apply(target, thisArgument, args);
    },
  });
  net.Socket = GuardedSocket;
  net.Stream = GuardedSocket;
  replaceMethod(
    net,
    'connect',
    (original) =>
      function connect(...args) {
        if (isArray(args[0]) === false) denySocketOptions(args);
        return apply(original, this, args);
      },
  );
  replaceMethod(
    net,
    'createConnection',
    (original) =>
      function createConnection(...args) {
        denySocketOptions(args);
        return apply(original, this, args);
      },
  );
  replaceMethod(
    net.Server.prototype,
    'listen',
    () =>
      function listen(...args) {
        const first = args[0];
        const target = first !== null && typeof first === 'object' ? first.port : first;
        throw policy.denyNetwork(`listen:${SafeString(target ?? '')}`, 'listen for connections');
      },
  );
  // Terminal streams open a descriptor by number: not the plugin's to choose.
  for (const name of ['ReadStream', 'WriteStream']) {
    const deny = (args) =>
      policy.denyNetwork(`fd:${SafeString(args[0])}`, 'open a terminal stream over a descriptor');
    tty[name] = new SafeProxy(tty[name], {
      construct(_target, args) {
        throw deny(args);
      },
      apply(_target, _thisArgument, args) {
        throw deny(args);
      },
    });
  }

  // http, https and http2 are not wrapped: their requests open their sockets synchronously through
  // net.Socket#connect (tls.connect too), so the check above throws from http.request,
  // https.get and http2.connect themselves, and loading those modules up front would cost every
  // plugin's start the time of Node's HTTP stack.

  // dgram: the destination is named before the datagram leaves (the UDP handle checks the address).
  replaceMethod(
    dgram,
    'createSocket',
    (original) =>
      function (type, listener) {
        let checkedType = type;
        if (type !== null && typeof type === 'object') {
          checkedType = snapshotOptions(type);
          if (checkedType.lookup !== undefined && checkedType.lookup !== null) {
            throw policy.denyNetwork('a UDP socket', 'resolve a declared host with its own lookup function');
          }
        }
        return apply(original, this, [checkedType, listener]);
      },
  );
  replaceMethod(
    dgram.Socket.prototype,
    'connect',
    (original) =>
      function (port, address, callback) {
        if (proxy !== undefined && address === '127.0.0.1' && proxy.isForwarderPort(port)) {
          return apply(original, this, [port, address, callback]);
        }
        const host = typeof address === 'string' ? address : 'localhost';
        const checkedHost = policy.checkHost(host, port);
        if (proxy === undefined) return apply(original, this, [port, address, callback]);
        proxy.udpPortFor(checkedHost, SafeString(port), (forwarderPort) => {
          apply(original, this, [forwarderPort, '127.0.0.1', callback]);
        });
        return undefined;
      },
  );
  replaceMethod(
    dgram.Socket.prototype,
    'send',
    (original) =>
      function (...args) {
        // send(message, [offset, length,] port, address, callback); without a port the socket must
        // be connected (the UDP handle refuses a send with no checked destination).
        const hasRange = typeof args[1] === 'number' && typeof args[2] === 'number' && args.length >= 4;
        const portIndex = hasRange ? 3 : 1;
        const port = args[portIndex];
        if (port === undefined || port === null || typeof port === 'function')
          return apply(original, this, args);
        const addressArgument = args[portIndex + 1];
        // dgram calls send again itself once the socket is bound: a datagram already addressed to a
        // forwarder goes on as it is.
        if (proxy !== undefined && addressArgument === '127.0.0.1' && proxy.isForwarderPort(port)) {
          return apply(original, this, args);
        }
        const host = typeof addressArgument === 'string' ? addressArgument : 'localhost';
        const checkedHost = policy.checkHost(host, port);
        if (proxy === undefined) return apply(original, this, args);
        // Through the forwarder of this destination: (port, address) become its loopback endpoint
        // once it is bound.
        const checked = copyArray(args);
        const restStart = typeof addressArgument === 'string' ? portIndex + 2 : portIndex + 1;
        proxy.udpPortFor(checkedHost, SafeString(port), (forwarderPort) => {
          const rebuilt = [];
          for (let index = 0; index < portIndex; index += 1) arrayAppend(rebuilt, checked[index]);
          arrayAppend(rebuilt, forwarderPort);
          arrayAppend(rebuilt, '127.0.0.1');
          for (let index = restStart; index < checked.length; index += 1)
            arrayAppend(rebuilt, checked[index]);
          apply(original, this, rebuilt);
        });
        return undefined;
      },
  );

  // DNS lookups leak names (and so data) even without a connection. What lookups of declared names
  // answer is remembered for the native-handle guard (dgram resolves through dns.lookup).
  function guardResolver(target, isPromise) {
    const names = objectGetOwnPropertyNames(target);
    for (let index = 0; index < names.length; index += 1) {
      const name = names[index];
      if (
        !(
          stringStartsWith(name, 'resolve') ||
          name === 'lookup' ||
          name === 'lookupService' ||
          name === 'reverse'
        )
      ) {
        continue;
      }
      replaceMethod(
        target,
        name,
        (original) =>
          function (...args) {
            let checked = args;
            try {
              const subject = SafeString(args[0]);
              checked = arrayWith(copyArray(args), 0, subject);
              // Looking up an IP literal asks no server (dgram's implicit bind looks up 0.0.0.0).
              if (!(name === 'lookup' && isIP(subject) !== 0)) {
                policy.checkHost(subject, name === 'lookupService' ? args[1] : undefined);
              }
              if (name === 'lookup' && !isPromise) {
                const last = checked.length - 1;
                const callback = checked[last];
                if (typeof callback === 'function') {
                  checked = arrayWith(checked, last, (error, address, family) => {
                    if (!error) rememberAll(subject, address);
                    callback(error, address, family);
                  });
                }
              }
            } catch (error) {
              const callback = args[args.length - 1];
              if (isPromise) return promiseReject(error);
              if (typeof callback === 'function') {
                nextTick(callback, error);
                return undefined;
              }
              throw error;
            }
            return apply(original, this, checked);
          },
      );
    }
  }
  // Choosing the DNS servers would send queries to any address.
  for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
    for (const name of ['setServers', 'setLocalAddress']) {
      if (typeof target[name] !== 'function') continue;
      replaceMethod(target, name, () => () => {
        throw policy.denyNetwork(`dns.${name}`, 'choose DNS servers');
      });
    }
  }
  guardResolver(dns, false);
  guardResolver(dns.promises, true);
  guardResolver(dns.Resolver.prototype, false);
  guardResolver(dns.promises.Resolver.prototype, true);

  // fetch, Request and WebSocket are undici's, which Node loads on first use (20 to 45 ms of a
  // worker's start, and a lazy data property of the global object from Node 22 on, which even
  // reading its descriptor loads). None of them is read here: fetch is Node's own lazy function,
  // and every connection undici opens is checked at net.Socket#connect like any other. A string
  // or URL given to fetch is checked before undici is even loaded (a URL through the captured
  // getters, so a replaced `hostname` getter cannot change what is checked); any other input (a
  // Request, an object with toString) is left to that check. A refusal there, in the first
  // connection or a redirect, rejects the fetch with the permission error itself.
  const originalFetch = globalThis.fetch;
  if (typeof originalFetch === 'function') {
    const surfaceDenial = (error) => {
      const cause = ownValue(error, 'cause');
      throw isPermissionError(cause) ? cause : error;
    };
    globalThis.fetch = function fetch(input, init) {
      let checked = input;
      try {
        if (typeof input === 'string') checkUrl(policy, input);
        else if (isURLInstance(input)) {
          checked = urlHref(input);
          checkUrl(policy, checked);
        }
      } catch (error) {
        return promiseReject(error);
      }
      return promiseThen(apply(originalFetch, this, [checked, init]), undefined, surfaceDenial);
    };
  }
}
