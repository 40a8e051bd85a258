// The in-sandbox side of the process tier's network: inside bubblewrap's empty network namespace a
// plugin reaches nothing, so each declared destination gets a forwarder on loopback that carries
// its connections (TCP, through `CONNECT host:port`) or datagrams (UDP, through an HTTP
// `connect-udp` upgrade, RFC 9298 capsules) to the host's allow-list proxy over the Unix socket
// bind-mounted into the sandbox. The guards send every checked connection to its forwarder. The
// forwarders enforce nothing: the proxy, outside the sandbox, allows exactly what is declared.
import dgram from 'node:dgram';
import net from 'node:net';
import {
  apply,
  defineProperty,
  mapGet,
  mapSet,
  mapSize,
  objectGetOwnPropertySymbols,
  SafeMap,
  SafeSet,
  SafeWeakSet,
  setAdd,
  setHas,
  weakSetAdd,
  weakSetHas,
} from './primordials.mjs';

// Captured before the network guard replaces them: the forwarders connect to the proxy's socket
// and listen on loopback, which the guard refuses plugin code.
const originalConnect = net.Socket.prototype.connect;
const originalListen = net.Server.prototype.listen;
const originalListen2 = net.Server.prototype._listen2;
const originalSend = dgram.Socket.prototype.send;
const { Buffer } = globalThis;
const maximumDestinations = 256;
const maximumHead = 16 * 1024;

function connectToProxy(socketPath) {
  // Half-open: a client that ends its request still reads the whole answer.
  const socket = new net.Socket({ allowHalfOpen: true });
  apply(originalConnect, socket, [{ __proto__: null, path: socketPath }]);
  return socket;
}

/** Reads an HTTP response head from `socket`; calls back with its status and the bytes after it. */
function readResponseHead(socket, callback) {
  let head = Buffer.alloc(0);
  const onData = (chunk) => {
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end === -1) {
      if (head.length > maximumHead) finish(0, Buffer.alloc(0));
      return;
    }
    const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
    const status = Number(statusLine.split(' ')[1]);
    finish(status, head.subarray(end + 4));
  };
  const onEnd = () => finish(0, Buffer.alloc(0));
  function finish(status, rest) {
    socket.off('data', onData);
    socket.off('end', onEnd);
    socket.off('error', onEnd);
    callback(status, rest);
  }
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('error', onEnd);
}

function encodeVarint(value) {
  if (value < 64) return Buffer.from([value]);
  if (value < 16384) return Buffer.from([0x40 | (value >> 8), value & 0xff]);
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE((0x80 << 24) | value);
  return bytes;
}

/** Reads a QUIC variable-length integer; undefined when `bytes` does not hold all of it yet. */
export function readVarint(bytes, offset) {
  if (offset >= bytes.length) return undefined;
  const first = bytes[offset];
  const length = 1 << (first >> 6);
  if (offset + length > bytes.length) return undefined;
  let value = first & 0x3f;
  for (let index = 1; index < length; index += 1) value = value * 256 + bytes[offset + index];
  return { value, next: offset + length };
}

/** A DATAGRAM capsule (type 0) carrying one UDP payload with context id 0. */
export function encodeDatagramCapsule(payload) {
  const body = Buffer.concat([encodeVarint(0), payload]);
  return Buffer.concat([encodeVarint(0), encodeVarint(body.length), body]);
}

/** Splits capsules from a byte stream; calls `onDatagram(payload)` for each DATAGRAM capsule. */
export function createCapsuleReader(onDatagram) {
  let buffered = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const type = readVarint(buffered, 0);
      if (type === undefined) return;
      const length = readVarint(buffered, type.next);
      if (length === undefined || length.next + length.value > buffered.length) return;
      const body = buffered.subarray(length.next, length.next + length.value);
      buffered = buffered.subarray(length.next + length.value);
      if (type.value !== 0) continue;
      const context = readVarint(body, 0);
      if (context !== undefined && context.value === 0) onDatagram(body.subarray(context.next));
    }
  };
}

/**
 * Creates the forwarders of one plugin process. `tcpPortFor(host, port)` returns the loopback port
 * that reaches a (checked, normalised) destination, starting its forwarder on first use;
 * `udpPortFor(host, port, callback)` calls back with it (a UDP bind is asynchronous).
 */
export function createProxyForwarders({ socketPath, deny }) {
  const tcp = new SafeMap();
  const udp = new SafeMap();
  // What the native-handle guard lets through inside the sandbox: connections and datagrams to
  // the forwarders' ports, the forwarders' own relays, and their listening (only while one starts).
  const forwarderPorts = new SafeSet();
  const relayHandles = new SafeWeakSet();
  let binding = false;

  function ensureCapacity(map, target) {
    if (mapSize(map) >= maximumDestinations) {
      throw deny(target, `reach more than ${maximumDestinations} different destinations`);
    }
  }

  function tcpPortFor(host, port) {
    const key = `${host}:${port}`;
    const known = mapGet(tcp, key);
    if (known !== undefined) return known;
    ensureCapacity(tcp, key);
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
      let upstream;
      try {
        upstream = connectToProxy(socketPath);
      } catch {
        client.destroy();
        return;
      }
      upstream.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
      readResponseHead(upstream, (status, rest) => {
        if (status !== 200) {
          upstream.destroy();
          client.resetAndDestroy?.() ?? client.destroy();
          return;
        }
        if (rest.length > 0) client.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      // Each direction ends on its own (pipe ends the other side); a failure ends both.
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    // listen(0) binds at once (a host name or address would be looked up first). Inside the empty
    // network namespace every interface is loopback. The binding window is synchronous, and the
    // one method listen() calls through the object is pinned, so no plugin code runs inside it.
    defineProperty(server, '_listen2', { value: originalListen2 });
    binding = true;
    try {
      apply(originalListen, server, [0]);
    } finally {
      binding = false;
    }
    server.unref();
    const local = server.address().port;
    setAdd(forwarderPorts, local);
    mapSet(tcp, key, local);
    return local;
  }

  function udpPortFor(host, port, callback) {
    const key = `${host}:${port}`;
    const known = mapGet(udp, key);
    if (known !== undefined) {
      if (known.port === undefined) known.waiting.push(callback);
      else callback(known.port);
      return;
    }
    ensureCapacity(udp, key);
    const entry = { port: undefined, waiting: [callback] };
    mapSet(udp, key, entry);
    const relay = dgram.createSocket('udp4');
    const symbols = objectGetOwnPropertySymbols(relay);
    for (let index = 0; index < symbols.length; index += 1) {
      const state = relay[symbols[index]];
      if (state !== null && typeof state === 'object' && state.handle !== undefined)
        weakSetAdd(relayHandles, state.handle);
    }
    let upstream;
    let established = false;
    let peer;
    const queued = [];
    const open = () => {
      try {
        upstream = connectToProxy(socketPath);
      } catch {
        return;
      }
      upstream.write(
        `GET /.well-known/masque/udp/${encodeURIComponent(host)}/${port}/ HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n\r\n`,
      );
      readResponseHead(upstream, (status, rest) => {
        if (status !== 101) {
          upstream.destroy();
          return;
        }
        established = true;
        const read = createCapsuleReader((payload) => {
          if (peer !== undefined) apply(originalSend, relay, [payload, peer.port, '127.0.0.1']);
        });
        if (rest.length > 0) read(rest);
        upstream.on('data', read);
        while (queued.length > 0) upstream.write(encodeDatagramCapsule(queued.shift()));
      });
      upstream.on('error', () => undefined);
    };
    relay.on('message', (payload, sender) => {
      peer = sender;
      if (upstream === undefined) open();
      if (upstream === undefined) return;
      if (established) upstream.write(encodeDatagramCapsule(payload));
      else if (queued.length < 64) queued.push(payload);
    });
    relay.bind(0, '127.0.0.1', () => {
      relay.unref();
      entry.port = relay.address().port;
      setAdd(forwarderPorts, entry.port);
      const waiting = entry.waiting;
      entry.waiting = [];
      for (const next of waiting) next(entry.port);
    });
  }

  return {
    socketPath,
    tcpPortFor,
    udpPortFor,
    isForwarderPort: (port) => setHas(forwarderPorts, port),
    isRelayHandle: (handle) => weakSetHas(relayHandles, handle),
    isBinding: () => binding,
  };
}
