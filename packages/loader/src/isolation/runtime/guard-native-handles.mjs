// The guard below the JavaScript APIs: the native handle classes every socket, DNS channel and
// file watcher is built on (TCP, Pipe, UDP, ChannelWrap, FSEvent, StatWatcher). A plugin reaches
// their prototypes from any handle (`socket._handle`, `new tls.TLSSocket()._handle._parent`,
// `resolver._handle`) and could call `connect`, `bind`, `listen`, `open(fd)` or `setServers`
// directly, around every JavaScript-level check. Here those methods themselves check: a socket may
// reach only an address a declared name resolved to (or one declared literally) on an allowed port,
// may not listen or wrap a descriptor, and a DNS channel may only ask about declared names.
import dgram from 'node:dgram';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import {
  apply,
  arrayWith,
  copyArray,
  defineProperty,
  getOwnPropertyDescriptor,
  objectGetOwnPropertySymbols,
  objectGetPrototypeOf,
  SafeString,
  SafeWeakSet,
  weakSetAdd,
  weakSetDelete,
  weakSetHas,
} from './primordials.mjs';

const loopbackAddresses = ['127.0.0.1', '::1', '::ffff:127.0.0.1'];
// Native handle methods report failure by returning a negative error number, which Node turns
// into the socket's 'error' event (a throw would escape from an internal callback instead).
const accessDenied = -os.constants.errno.EACCES;
const tooManyOpen = -os.constants.errno.EMFILE;
// How many sockets (TCP connections, UDP sockets) a plugin may hold at once. In a worker every
// socket is a descriptor of the host process: without a budget, a plugin with one declared host
// could take the host's whole descriptor table.
export const maximumOpenSockets = 256;

function isLoopback(address) {
  return (
    address === loopbackAddresses[0] || address === loopbackAddresses[1] || address === loopbackAddresses[2]
  );
}

function isWildcardOrLoopback(address) {
  return address === '0.0.0.0' || address === '::' || isLoopback(address);
}

/** Finds the prototypes of the native handle classes by creating one of each and discarding it. */
function findHandlePrototypes() {
  const tcpSocket = new net.Socket();
  tcpSocket.on('error', () => {});
  tcpSocket.connect({ __proto__: null, port: 9, host: '0.0.0.0' });
  const tcp = objectGetPrototypeOf(tcpSocket._handle);
  tcpSocket.destroy();
  const pipeSocket = new net.Socket();
  pipeSocket.on('error', () => {});
  pipeSocket.connect({ __proto__: null, path: '\u0000agentplug-handle-probe' });
  const pipe = objectGetPrototypeOf(pipeSocket._handle);
  pipeSocket.destroy();
  const udpSocket = dgram.createSocket('udp4');
  const symbols = objectGetOwnPropertySymbols(udpSocket);
  let udp;
  for (let index = 0; index < symbols.length; index += 1) {
    const state = udpSocket[symbols[index]];
    if (state !== null && typeof state === 'object' && state.handle !== undefined) {
      udp = objectGetPrototypeOf(state.handle);
    }
  }
  udpSocket.close();
  const channel = objectGetPrototypeOf(new dns.Resolver()._handle);
  return { tcp, pipe, udp, channel };
}

/** Finds the DirHandle prototype by opening `folder` as a directory for a moment. */
function findDirectoryPrototype(folder) {
  const directory = fs.opendirSync(folder);
  let prototype;
  const symbols = objectGetOwnPropertySymbols(directory);
  for (let index = 0; index < symbols.length; index += 1) {
    const value = directory[symbols[index]];
    if (
      value !== null &&
      typeof value === 'object' &&
      typeof value.read === 'function' &&
      typeof value.close === 'function'
    ) {
      prototype = objectGetPrototypeOf(value);
    }
  }
  directory.closeSync();
  return prototype;
}

/**
 * Finds the FSEvent prototype without starting a watcher. Starting one would take an inotify
 * instance for the life of this thread's event loop (a per-user limit, 128 by default, shared
 * by every process of the OS user): with many isolated plugins, or a busy machine, plugins
 * would fail to start with EMFILE. fs.watch builds its FSEvent, then sets `onchange` on it
 * before starting it: a setter on Object.prototype, present only for this call (no plugin code
 * has run yet), catches the handle there and stops the watch before it starts.
 */
function findFsEventPrototype(folder) {
  const stop = new Error('stop before the watch starts');
  let handle;
  defineProperty(Object.prototype, 'onchange', {
    set() {
      handle = this;
      throw stop;
    },
    configurable: true,
  });
  try {
    fs.watch(folder).close();
  } catch (error) {
    if (error !== stop) throw error;
  } finally {
    delete Object.prototype.onchange;
  }
  if (handle !== undefined) return objectGetPrototypeOf(handle);
  // A Node whose watcher is built differently: start one for a moment, so the guard still holds.
  const watcher = fs.watch(folder);
  const prototype = objectGetPrototypeOf(watcher._handle);
  watcher.close();
  return prototype;
}

/** Finds the FSEvent and StatWatcher prototypes (the StatWatcher by watching `file` for a moment). */
function findWatcherPrototypes(folder, file) {
  const fsEvent = findFsEventPrototype(folder);
  const statWatcher = fs.watchFile(file, () => {});
  const stat =
    statWatcher._handle === undefined || statWatcher._handle === null
      ? undefined
      : objectGetPrototypeOf(statWatcher._handle);
  fs.unwatchFile(file);
  return { fsEvent, stat };
}

function wrap(prototype, name, makeGuarded) {
  if (prototype === undefined) return;
  const descriptor = getOwnPropertyDescriptor(prototype, name);
  if (descriptor === undefined || typeof descriptor.value !== 'function') return;
  // Locked: a plugin must not put the native method back (it cannot reach it, but nothing else
  // should be able to replace the checked one either).
  defineProperty(prototype, name, {
    value: makeGuarded(descriptor.value),
    writable: false,
    enumerable: descriptor.enumerable,
    configurable: false,
  });
}

/**
 * Installs the checks on the native handle prototypes. `proxy`, in the process tier with an OS
 * sandbox, names the Unix socket of the host's allow-list proxy: sockets may then reach only it and
 * loopback (the in-sandbox forwarders).
 */
export function guardNativeHandles(policy, { folder, file, proxy }) {
  const { tcp, pipe, udp, channel } = findHandlePrototypes();
  const { fsEvent, stat } = findWatcherPrototypes(folder, file);
  const directory = findDirectoryPrototype(folder);
  const connectedUdp = new SafeWeakSet();
  const countedSockets = new SafeWeakSet();
  let openSockets = 0;
  let pendingQueries = 0;

  /** Counts a handle that is about to get a descriptor; false when the budget is spent. */
  function takeSocket(handle) {
    if (weakSetHas(countedSockets, handle)) return true;
    if (openSockets + pendingQueries >= maximumOpenSockets) return false;
    weakSetAdd(countedSockets, handle);
    openSockets += 1;
    return true;
  }

  /** Closing a counted handle gives its descriptor back to the budget. */
  function countClose(prototype) {
    if (prototype === undefined) return;
    const inheritedClose = prototype.close;
    if (typeof inheritedClose !== 'function') return;
    defineProperty(prototype, 'close', {
      value: function close(...args) {
        if (weakSetHas(countedSockets, this)) {
          weakSetDelete(countedSockets, this);
          openSockets -= 1;
        }
        return apply(inheritedClose, this, copyArray(args));
      },
      writable: false,
      enumerable: false,
      configurable: false,
    });
  }
  countClose(tcp);
  countClose(udp);

  /** Records the denial (the host sees it) and returns EACCES for the native caller. */
  const refuse = (target, what) => {
    policy.denyNetwork(target, what);
    return accessDenied;
  };

  /** Whether a socket may reach `address` on `port`; records a denial when not. */
  function isEndpointAllowed(address, port) {
    if (proxy !== undefined) {
      // Inside the sandbox the only places are the forwarders, on loopback.
      if (isLoopback(address) && proxy.isForwarderPort(port)) return true;
      policy.denyNetwork(`${address}:${SafeString(port)}`, 'connect other than through the host proxy');
      return false;
    }
    if (policy.isAddressAllowed(address, port)) return true;
    // The JavaScript-level check passed a name; this address is not what the real resolver gave
    // for it (a replaced dns.lookup, a raw handle): refused with the same advice.
    try {
      policy.checkHost(address, port);
      return true;
    } catch {
      return false;
    }
  }

  for (const prototype of [tcp, pipe, udp]) {
    wrap(
      prototype,
      'open',
      () =>
        function open(descriptor) {
          return refuse(`fd:${SafeString(descriptor)}`, 'open a socket over an existing descriptor');
        },
    );
  }
  for (const name of ['connect', 'connect6']) {
    // TCP: connect(request, address, port).
    wrap(
      tcp,
      name,
      (original) =>
        function (request, address, port) {
          const text = SafeString(address);
          if (!isEndpointAllowed(text, port)) return accessDenied;
          if (!takeSocket(this)) return tooManyOpen;
          return apply(original, this, [request, text, port]);
        },
    );
  }
  for (const name of ['bind', 'bind6']) {
    wrap(
      tcp,
      name,
      (original) =>
        function (...args) {
          const address = SafeString(args[0]);
          // Only the in-sandbox forwarders listen, inside an empty network namespace.
          if (proxy === undefined || !proxy.isBinding() || !isWildcardOrLoopback(address) || args[1] !== 0) {
            return refuse(`listen:${address}:${SafeString(args[1])}`, 'listen for connections');
          }
          if (!takeSocket(this)) return tooManyOpen;
          return apply(original, this, copyArray(args));
        },
    );
  }
  wrap(
    tcp,
    'listen',
    (original) =>
      function (...args) {
        if (proxy === undefined || !proxy.isBinding()) return refuse('listen', 'listen for connections');
        return apply(original, this, copyArray(args));
      },
  );
  wrap(
    pipe,
    'connect',
    (original) =>
      function (...args) {
        const address = SafeString(args[1]);
        if (proxy === undefined || address !== proxy.socketPath) {
          return refuse(`unix:${address}`, 'connect to a local socket');
        }
        return apply(original, this, arrayWith(copyArray(args), 1, address));
      },
  );
  for (const name of ['bind', 'listen']) {
    wrap(pipe, name, () => () => refuse('unix', 'listen for connections'));
  }
  for (const name of ['bind', 'bind6']) {
    // UDP: only the implicit ephemeral bind a first send makes; no chosen port, nothing to listen on.
    wrap(
      udp,
      name,
      (original) =>
        function (...args) {
          const address = SafeString(args[0]);
          if (args[1] !== 0 || !isWildcardOrLoopback(address)) {
            return refuse(`listen:${address}:${SafeString(args[1])}`, 'listen for datagrams');
          }
          if (!takeSocket(this)) return tooManyOpen;
          return apply(original, this, copyArray(args));
        },
    );
  }
  for (const name of ['connect', 'connect6']) {
    // UDP: connect(address, port).
    wrap(
      udp,
      name,
      (original) =>
        function (address, port) {
          const text = SafeString(address);
          if (!isEndpointAllowed(text, port)) return accessDenied;
          const result = apply(original, this, [text, port]);
          if (result === 0) weakSetAdd(connectedUdp, this);
          return result;
        },
    );
  }
  for (const name of ['send', 'send6']) {
    // UDP: send(request, list, count, port, address, hasCallback), or send(request, list, count,
    // hasCallback) on a connected socket.
    wrap(
      udp,
      name,
      (original) =>
        function (...args) {
          if (args.length >= 6) {
            const address = SafeString(args[4]);
            // A forwarder's relay answers the plugin's own socket, wherever on loopback it is.
            const relayed = proxy?.isRelayHandle(this) === true && isLoopback(address);
            if (!relayed && !isEndpointAllowed(address, args[3])) return accessDenied;
            return apply(original, this, arrayWith(copyArray(args), 4, address));
          }
          if (!weakSetHas(connectedUdp, this))
            return refuse('udp', 'send a datagram without a checked destination');
          return apply(original, this, copyArray(args));
        },
    );
  }
  wrap(
    udp,
    'disconnect',
    (original) =>
      function (...args) {
        // A disconnected socket must name a destination again.
        weakSetDelete(connectedUdp, this);
        return apply(original, this, copyArray(args));
      },
  );

  // DNS: queries leak names (and so data) even without a connection; servers are not the plugin's.
  const queries = [
    'queryAny',
    'queryA',
    'queryAaaa',
    'queryCaa',
    'queryCname',
    'queryMx',
    'queryNs',
    'queryTxt',
    'querySrv',
    'queryPtr',
    'queryNaptr',
    'querySoa',
    'queryTlsa',
    'getHostByAddr',
  ];
  // Each resolver with a query outstanding holds a socket (a descriptor of the host process, in a
  // worker) until the query ends: outstanding queries share the socket budget (pendingQueries).
  for (const name of queries) {
    wrap(
      channel,
      name,
      (original) =>
        function (...args) {
          const host = SafeString(args[1]);
          try {
            policy.checkHost(host, undefined);
          } catch {
            return accessDenied;
          }
          const request = args[0];
          const oncomplete = request !== null && typeof request === 'object' ? request.oncomplete : undefined;
          if (typeof oncomplete !== 'function') return accessDenied;
          if (openSockets + pendingQueries >= maximumOpenSockets) return tooManyOpen;
          let finished = false;
          request.oncomplete = function (...results) {
            if (!finished) {
              finished = true;
              pendingQueries -= 1;
            }
            return apply(oncomplete, this, copyArray(results));
          };
          const result = apply(original, this, arrayWith(copyArray(args), 1, host));
          if (result === 0) pendingQueries += 1;
          else finished = true;
          return result;
        },
    );
  }
  for (const name of ['setServers', 'setLocalAddress']) {
    wrap(channel, name, () => () => refuse(`dns.${name}`, 'choose DNS servers'));
  }

  // A native constructor called without `new` fails a C++ assertion, which aborts the whole
  // process (in a worker, the host's): the constructors a handle reveals are replaced. Node's own
  // code keeps the real ones in its closures. (Other native objects remain; see SECURITY.md.)
  for (const prototype of [tcp, pipe, udp, channel, fsEvent, stat, directory]) {
    if (prototype === undefined) continue;
    const descriptor = getOwnPropertyDescriptor(prototype, 'constructor');
    if (descriptor === undefined || !descriptor.configurable) continue;
    defineProperty(prototype, 'constructor', {
      value: function refusedConstructor() {
        throw policy.denyEscapeHatch('builtin', 'a native handle constructor');
      },
      writable: false,
      configurable: false,
    });
  }

  // File watchers: start(path, ...) reads whether and when files change.
  wrap(
    fsEvent,
    'start',
    (original) =>
      function (...args) {
        return apply(original, this, arrayWith(copyArray(args), 0, policy.checkRead(args[0], true)));
      },
  );
  wrap(
    stat,
    'start',
    (original) =>
      function (...args) {
        return apply(original, this, arrayWith(copyArray(args), 0, policy.checkRead(args[0], true)));
      },
  );
}
