import dgram from 'node:dgram';
import dns from 'node:dns';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net, { isIP } from 'node:net';
import tls from 'node:tls';
import tty from 'node:tty';
import {
  apply,
  arraySlice,
  construct,
  defineProperty,
  isArray,
  objectAssign,
  objectGetOwnPropertyNames,
  SafePromise,
  SafeProxy,
  SafeString,
  SafeURL,
  stringStartsWith,
} from './primordials.mjs';

const defaultPorts = { 'http:': '80', 'https:': '443', 'ws:': '80', 'wss:': '443' };

function checkUrl(policy, value) {
  const url = new SafeURL(SafeString(value));
  policy.checkHost(url.hostname, url.port === '' ? defaultPorts[url.protocol] : url.port);
  return url;
}

/** Reads the target of `fetch(input)`: a string, a URL or a Request. */
function fetchTarget(input) {
  if (input !== null && typeof input === 'object' && input.href !== undefined) return input.href;
  return input;
}

/**
 * Takes a snapshot of `net.Socket#connect`'s arguments (options copied once, so a getter cannot
 * answer the check one thing and the socket another) and returns the options and the arguments
 * to pass on.
 */
function snapshotConnectArguments(args) {
  const first = args[0];
  if (isArray(first)) {
    // net.connect() passes its normalised [options, callback] array, marked by an internal symbol.
    const copy = objectAssign([], first);
    copy[0] = { ...first[0] };
    return { options: copy[0], args: [copy, ...arraySlice(args, 1)] };
  }
  if (first !== null && typeof first === 'object') {
    const options = { ...first };
    return { options, args: [options, ...arraySlice(args, 1)] };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return { options: { path: first }, args };
  return { options: { port: first, host: typeof args[1] === 'string' ? args[1] : undefined }, args };
}

function checkConnectOptions(policy, options) {
  if (options.path !== undefined && options.path !== null) {
    throw policy.denyNetwork(`unix:${SafeString(options.path)}`, 'connect to a local socket');
  }
  // net.connect({ fd }) builds its socket without going through net.Socket (the guarded one).
  if (options.fd !== undefined && options.fd !== null) {
    throw policy.denyNetwork(`fd:${SafeString(options.fd)}`, 'open a socket over an existing descriptor');
  }
  if (options.host !== undefined && options.host !== null) options.host = SafeString(options.host);
  policy.checkHost(options.host ?? 'localhost', options.port);
  checkNoCustomLookup(policy, options, options.host ?? 'localhost');
}

// The host check is by name: a custom lookup could answer any address for a declared name.
function checkNoCustomLookup(policy, options, target) {
  if (
    options !== null &&
    typeof options === 'object' &&
    options.lookup !== undefined &&
    options.lookup !== null
  ) {
    throw policy.denyNetwork(SafeString(target), 'resolve a declared host with its own lookup function');
  }
}

function snapshotRequestArguments(policy, args, defaultProtocol) {
  const checked = arraySlice(args);
  let url;
  let options;
  if (
    typeof checked[0] === 'string' ||
    (checked[0] !== null && typeof checked[0] === 'object' && checked[0] instanceof SafeURL)
  ) {
    url = new SafeURL(SafeString(checked[0]));
    checked[0] = url;
    if (checked[1] !== null && typeof checked[1] === 'object') {
      options = { ...checked[1] };
      checked[1] = options;
    }
  } else if (checked[0] !== null && typeof checked[0] === 'object') {
    options = { ...checked[0] };
    checked[0] = options;
  }
  if (options?.socketPath !== undefined) {
    throw policy.denyNetwork(`unix:${SafeString(options.socketPath)}`, 'connect to a local socket');
  }
  let host = options?.hostname ?? options?.host ?? url?.hostname ?? 'localhost';
  host = SafeString(host);
  if (options !== undefined) {
    if (options.hostname !== undefined) options.hostname = host;
    else if (options.host !== undefined) options.host = host;
  }
  const protocol = options?.protocol ?? url?.protocol ?? defaultProtocol;
  let port = options?.port ?? (url !== undefined && url.port !== '' ? url.port : undefined);
  if (port === undefined || port === null || port === '') port = defaultPorts[protocol];
  // The host of a URL the options override is what Node will connect to.
  policy.checkHost(host, port);
  return checked;
}

function replaceMethod(target, name, makeGuarded) {
  const original = target[name];
  if (typeof original !== 'function') return;
  const guarded = makeGuarded(original);
  defineProperty(guarded, 'name', { value: original.name, configurable: true });
  target[name] = guarded;
}

/**
 * Gates every way to open a connection: fetch, WebSocket (when present), http, https, http2, net,
 * tls, dgram and dns. Each checks the host before any socket exists; `net.Socket#connect`, which
 * every TCP client ends in, checks again as a backstop (redirects, agents, libraries).
 */
export function guardNetwork(policy) {
  replaceMethod(
    net.Socket.prototype,
    'connect',
    (original) =>
      function (...args) {
        const snapshot = snapshotConnectArguments(args);
        checkConnectOptions(policy, snapshot.options);
        return apply(original, this, snapshot.args);
      },
  );
  for (const name of ['connect', 'createConnection']) {
    replaceMethod(
      net,
      name,
      (original) =>
        function (...args) {
          const snapshot = snapshotConnectArguments(args);
          checkConnectOptions(policy, snapshot.options);
          return apply(original, this, snapshot.args);
        },
    );
  }
  replaceMethod(
    tls,
    'connect',
    (original) =>
      function (...args) {
        const snapshot = snapshotConnectArguments(args);
        if (snapshot.options.socket === undefined) checkConnectOptions(policy, snapshot.options);
        return apply(original, this, snapshot.args);
      },
  );
  // A socket over an existing descriptor would reach whatever the host process has open.
  const OriginalSocket = net.Socket;
  const GuardedSocket = new SafeProxy(OriginalSocket, {
    construct(target, args, newTarget) {
      const options = args[0];
      if (
        options !== null &&
        typeof options === 'object' &&
        (options.fd !== undefined || options.handle !== undefined)
      ) {
        throw policy.denyNetwork(
          `fd:${SafeString(options.fd ?? 'handle')}`,
          'open a socket over an existing descriptor',
        );
      }
      return construct(target, args, newTarget);
    },
  });
  net.Socket = GuardedSocket;
  net.Stream = GuardedSocket;
  for (const name of ['ReadStream', 'WriteStream']) {
    tty[name] = new SafeProxy(tty[name], {
      construct(target, args, newTarget) {
        if (args[0] !== 1 && args[0] !== 2)
          throw policy.denyNetwork(`fd:${SafeString(args[0])}`, 'open a terminal stream over a descriptor');
        return construct(target, args, newTarget);
      },
      apply(target, thisArgument, args) {
        if (args[0] !== 1 && args[0] !== 2)
          throw policy.denyNetwork(`fd:${SafeString(args[0])}`, 'open a terminal stream over a descriptor');
        return apply(target, thisArgument, args);
      },
    });
  }
  replaceMethod(net.Server.prototype, 'listen', () => (...args) => {
    throw policy.denyNetwork(
      `listen:${SafeString(args[0]?.port ?? args[0] ?? '')}`,
      'listen for connections',
    );
  });

  for (const [module, protocol] of [
    [http, 'http:'],
    [https, 'https:'],
  ]) {
    for (const name of ['request', 'get']) {
      replaceMethod(
        module,
        name,
        (original) =>
          function (...args) {
            return apply(original, this, snapshotRequestArguments(policy, args, protocol));
          },
      );
    }
  }
  replaceMethod(
    http2,
    'connect',
    (original) =>
      function (authority, ...rest) {
        const url = checkUrl(
          policy,
          typeof authority === 'string' || authority instanceof SafeURL
            ? authority
            : `https://${SafeString(authority?.host ?? authority?.hostname)}:${SafeString(authority?.port ?? 443)}`,
        );
        return apply(original, this, [url, ...rest]);
      },
  );

  replaceMethod(
    dgram.Socket.prototype,
    'connect',
    (original) =>
      function (port, address, ...rest) {
        const host = typeof address === 'string' ? address : 'localhost';
        policy.checkHost(host, port);
        return apply(original, this, [port, address, ...rest]);
      },
  );
  replaceMethod(
    dgram.Socket.prototype,
    'send',
    (original) =>
      function (...args) {
        let connected = false;
        try {
          this.remoteAddress();
          connected = true;
        } catch {
          connected = false;
        }
        if (!connected) {
          // send(message, [offset, length,] port, address, callback)
          const hasRange = typeof args[1] === 'number' && typeof args[2] === 'number' && args.length >= 4;
          const portIndex = hasRange ? 3 : 1;
          const address = typeof args[portIndex + 1] === 'string' ? args[portIndex + 1] : 'localhost';
          policy.checkHost(address, args[portIndex]);
        }
        return apply(original, this, args);
      },
  );

  // DNS lookups leak names (and so data) even without a connection.
  const guardResolver = (target, isPromise) => {
    for (const name of objectGetOwnPropertyNames(target)) {
      if (
        !(
          stringStartsWith(name, 'resolve') ||
          name === 'lookup' ||
          name === 'lookupService' ||
          name === 'reverse'
        )
      )
        continue;
      replaceMethod(
        target,
        name,
        (original) =>
          function (...args) {
            try {
              // Looking up an IP literal asks no server (dgram's implicit bind looks up 0.0.0.0).
              if (!(name === 'lookup' && isIP(SafeString(args[0])) !== 0)) {
                policy.checkHost(args[0], name === 'lookupService' ? args[1] : undefined);
              }
            } catch (error) {
              const callback = args[args.length - 1];
              if (isPromise) return SafePromise.reject(error);
              if (typeof callback === 'function') {
                process.nextTick(callback, error);
                return undefined;
              }
              throw error;
            }
            return apply(original, this, args);
          },
      );
    }
  };
  // Choosing the DNS servers would send queries to any address.
  for (const target of [dns, dns.promises, dns.Resolver.prototype, dns.promises.Resolver.prototype]) {
    for (const name of ['setServers', 'setLocalAddress']) {
      if (typeof target[name] !== 'function') continue;
      replaceMethod(target, name, () => () => {
        throw policy.denyNetwork(`dns.${name}`, 'choose DNS servers');
      });
    }
  }
  replaceMethod(
    dgram,
    'createSocket',
    (original) =>
      function (type, listener) {
        checkNoCustomLookup(policy, type, 'a UDP socket');
        return apply(original, this, [type, listener]);
      },
  );
  guardResolver(dns, false);
  guardResolver(dns.promises, true);
  guardResolver(dns.Resolver.prototype, false);
  guardResolver(dns.promises.Resolver.prototype, true);

  const originalFetch = globalThis.fetch;
  if (typeof originalFetch === 'function') {
    const SafeRequest = globalThis.Request;
    globalThis.fetch = function fetch(input, init) {
      let checked;
      try {
        // A copy fixes what is fetched: the checked URL string, or a plain Request built from the
        // caller's (its internal URL, not an overridden getter).
        checked = input instanceof SafeRequest ? new SafeRequest(input) : SafeString(fetchTarget(input));
        checkUrl(policy, typeof checked === 'string' ? checked : checked.url);
      } catch (error) {
        return SafePromise.reject(error);
      }
      return apply(originalFetch, this, [checked, init]);
    };
  }
  // WebSocket is a global only behind --experimental-websocket in Node 20.
  if (typeof globalThis.WebSocket === 'function') {
    globalThis.WebSocket = new SafeProxy(globalThis.WebSocket, {
      construct(target, args, newTarget) {
        checkUrl(policy, args[0]);
        return construct(target, args, newTarget);
      },
    });
  }
}
