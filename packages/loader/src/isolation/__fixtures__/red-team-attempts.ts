import { hostname } from 'node:os';
import { arrayPrototypeAttempts } from './array-prototype-attempts';
import { commonJs, type EscapeAttempt, esm, hasOsSandbox, importsGated } from './escape-attempt';
import type { HarnessTier } from './isolated-plugin-harness';

// The red team's attempts: new spellings and new causes of the classes the escape suite covers.
// Descriptors used beyond what their open granted (metadata changes through a read-only
// descriptor; the host's own standard output and error, which a worker shares), declared names
// that resolve to internal addresses (DNS rebinding), a declared host on an undeclared port, IP
// spellings, local sockets by other routes, the process's identity and signals to its group,
// module specifiers by other spellings, and the realm turned against the address checks.

const fs = 'import fs from "node:fs";';
const net = 'import net from "node:net";';
const declaredRead = (context: { config: { declared: string } }) => ({
  filesystem_read: [context.config.declared],
});
/** A change of a read-only file: refused by the policy, or by the permission model before it. */
const changeDenied = {
  mentions: ['to permissions.filesystem_write', "Node's permission model refuses it"],
};
const consoleDenied = { capability: 'filesystem_write', mentions: ['for more than writing'] };

/**
 * This machine's own name: it resolves (through /etc/hosts) to an internal address, loopback
 * here, where the loopback server listens. A plugin that declares it stands for a plugin whose
 * declared name an attacker points at the host's ports, a private network or a metadata service.
 */
const internalName = hostname();
const declaredInternalName = () => ({ network_hosts: [internalName] });
/** Inside the OS sandbox the host's proxy refuses the name; outside, the policy does. */
const rebindingOutcome = (tier: HarnessTier) => (hasOsSandbox(tier) ? 'failed' : 'denied');
const rebindingMentions = ['may lead only to public addresses'];

export const redTeamAttempts: EscapeAttempt[] = [
  {
    name: 'changing the mode of a read-only declared file through a descriptor opened for reading',
    files: () => esm(`const fd = fs.openSync(c.canary, 'r'); fs.fchmodSync(fd, 0o600);`, fs),
    permissions: declaredRead,
    ...changeDenied,
  },
  {
    name: 'changing the times of a read-only declared file through a descriptor, callback form',
    files: () =>
      esm(
        `const fd = fs.openSync(c.canary, 'r');
await new Promise((resolve, reject) => fs.futimes(fd, 1, 1, (error) => (error ? reject(error) : resolve())));`,
        fs,
      ),
    permissions: declaredRead,
    ...changeDenied,
  },
  {
    name: 'changing the times of a read-only declared file through a FileHandle opened for reading',
    files: () =>
      esm(
        `const handle = await fs.open(c.canary, 'r'); await handle.utimes(1, 1);`,
        'import fs from "node:fs/promises";',
      ),
    permissions: declaredRead,
    ...changeDenied,
  },
  {
    name: 'changing the mode of a declared folder through a descriptor opened on it',
    files: () => esm(`const fd = fs.openSync(c.declared, 'r'); fs.fchmodSync(fd, 0o777);`, fs),
    permissions: declaredRead,
    ...changeDenied,
  },
  {
    name: "truncating the host's standard output through descriptor 1",
    files: () => esm(`fs.ftruncateSync(1, 0);`, fs),
    ...consoleDenied,
  },
  {
    name: "changing the mode of the host's standard error through descriptor 2",
    files: () => esm(`fs.fchmodSync(2, 0o777);`, fs),
    ...consoleDenied,
  },
  {
    name: "closing the host's standard error, so the host's next file would take its number",
    files: () => esm(`fs.closeSync(2);`, fs),
    ...consoleDenied,
  },
  {
    name: "reading from the host's standard output (a terminal is readable)",
    files: () => esm(`return fs.readSync(1, Buffer.alloc(16));`, fs),
    ...consoleDenied,
  },
  {
    name: "reading the host's standard output with readFile and a stream over descriptor 2",
    files: () =>
      esm(
        `try { fs.readFileSync(1); } catch (error) { if (error.code !== 'PERMISSION_DENIED') throw new Error('not refused: ' + error.code); }
fs.createReadStream(null, { fd: 2 });`,
        fs,
      ),
    ...consoleDenied,
  },
  {
    name: 'a declared name that resolves to an internal address (DNS rebinding), net.connect',
    files: () =>
      esm(
        `return await new Promise((resolve, reject) => {
  // Inside the OS sandbox the connection is to a forwarder: only an answer proves the server was reached.
  const socket = net.connect({ host: ${JSON.stringify(internalName)}, port: c.port }, () => socket.write('GET /rebound HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
  socket.on('data', () => resolve('reached'));
  socket.on('error', reject);
  socket.on('close', () => reject(new Error('closed without an answer')));
});`,
        net,
      ),
    permissions: declaredInternalName,
    outcome: rebindingOutcome,
    capability: 'network',
    mentions: rebindingMentions,
  },
  {
    name: 'a declared name that resolves to an internal address (DNS rebinding), fetch',
    files: () =>
      esm(
        `try { return await (await fetch('http://' + ${JSON.stringify(internalName)} + ':' + c.port + '/rebound')).text(); } catch (error) { throw error.cause ?? error; }`,
      ),
    permissions: declaredInternalName,
    outcome: rebindingOutcome,
    capability: 'network',
    mentions: rebindingMentions,
  },
  {
    name: 'a declared name that resolves to an internal address (DNS rebinding), a UDP datagram',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4');
await new Promise((resolve, reject) => socket.send('leak', c.udpPort, ${JSON.stringify(internalName)}, (error) => (error ? reject(error) : resolve())));
// Inside the OS sandbox the forwarder takes the datagram and the host's proxy drops it.
await new Promise((resolve) => setTimeout(resolve, 300));
return 'sent';`,
        'import dgram from "node:dgram";',
      ),
    permissions: declaredInternalName,
    outcome: (tier) => (hasOsSandbox(tier) ? 'hidden' : 'failed'),
    capability: 'network',
  },
  {
    name: 'DNS rebinding after the plugin replaced array methods, the array iterator and split',
    files: () =>
      esm(
        `Array.prototype[Symbol.iterator] = function* () {};
Array.prototype.push = () => 0; Array.prototype.some = () => true; Array.prototype.filter = () => [];
String.prototype[Symbol.split] = () => ['8.8.8.8'];
return await new Promise((resolve, reject) => {
  // Inside the OS sandbox the connection is to a forwarder: only an answer proves the server was reached.
  const socket = net.connect({ host: ${JSON.stringify(internalName)}, port: c.port }, () => socket.write('GET /rebound HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'));
  socket.on('data', () => resolve('reached'));
  socket.on('error', reject);
  socket.on('close', () => reject(new Error('closed without an answer')));
});`,
        net,
      ),
    permissions: declaredInternalName,
    outcome: rebindingOutcome,
    capability: 'network',
    mentions: rebindingMentions,
  },
  {
    name: 'a declared host on an undeclared port',
    files: () => esm(`net.connect({ host: '127.0.0.1', port: c.port });`, net),
    permissions: () => ({ network_hosts: ['127.0.0.1:1'] }),
    capability: 'network',
    mentions: ['to permissions.network_hosts'],
  },
  {
    name: 'a wildcard entry that would match IP addresses (*.0.0.1, *.1)',
    files: () =>
      esm(
        `try { await fetch('http://127.0.0.1:' + c.port + '/wildcard'); } catch (error) { throw error.cause ?? error; }`,
      ),
    permissions: () => ({ network_hosts: ['*.0.0.1', '*.1'] }),
    capability: 'network',
    mentions: ['add "127.0.0.1" to permissions.network_hosts'],
  },
  {
    name: 'undeclared loopback by other spellings (decimal, hex, octal, short, IPv4-mapped IPv6)',
    files: () =>
      esm(
        `const spellings = ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '::ffff:127.0.0.1', '::ffff:7f00:1', '[::1]'];
let last;
for (const host of spellings) {
  try { net.connect({ host, port: c.port }).on('error', () => {}); return 'not refused: ' + host; } catch (error) { if (error.code !== 'PERMISSION_DENIED') throw error; last = error; }
}
try { await fetch('http://2130706433:' + c.port + '/decimal'); } catch (error) { last = error.cause ?? error; }
throw last;`,
        net,
      ),
    permissions: () => ({ network_hosts: ['localhost', 'api.example.com'] }),
    capability: 'network',
    mentions: ['add "127.0.0.1" to permissions.network_hosts'],
  },
  {
    name: 'connecting to an abstract Unix socket',
    files: () => esm(`net.connect({ path: '\\0agentplug-abstract' });`, net),
    capability: 'network',
    mentions: ['local socket'],
  },
  {
    name: "an HTTP request over a Unix socket (http's socketPath)",
    files: () =>
      esm(
        `http.get({ socketPath: '/var/run/docker.sock', path: '/containers/json' });`,
        'import http from "node:http";',
      ),
    capability: 'network',
    mentions: ['local socket'],
  },
  {
    name: 'becoming another user (process.setuid, setgid, setgroups)',
    files: () =>
      esm(`let last;
for (const [name, value] of [['setgroups', [65534]], ['setgid', 65534], ['setuid', 65534]]) {
  try { process[name](value); return 'not refused: ' + name; } catch (error) { if (error.code !== 'PERMISSION_DENIED') throw error; last = error; }
}
throw last;`),
    capability: 'process',
    mentions: ['process.setuid'],
  },
  {
    name: "signalling the host's whole process group (process.kill(0) and kill(-1))",
    files: () => esm(`try { process.kill(-1, 'SIGCONT'); } catch {} process.kill(0, 'SIGCONT');`),
    capability: 'process',
    mentions: ['process.kill'],
  },
  {
    name: 'changing the working directory out of the plugin folder',
    files: () => esm(`process.chdir(c.root); return process.cwd();`),
    // Workers cannot change directory at all (Node refuses); the process tier checks it as a read.
    outcome: (tier) => (tier.isolation === 'worker' ? 'failed' : 'denied'),
    mentions: ['to permissions.filesystem_read'],
  },
  {
    name: 'importing child_process by a URL object',
    files: () =>
      esm(`const childProcess = await import(new URL('node:child_process'));
childProcess.execSync('touch ' + c.marker);`),
    mentions: ['node:child_process', "Node's permission model refuses it"],
    outcome: (tier) => (importsGated(tier) ? 'denied' : 'failed'),
  },
  {
    name: 'a forged require.cache entry for a refused built-in',
    files: () =>
      commonJs(`require.cache['node:child_process'] = { id: 'node:child_process', loaded: true, exports: { forged: true } };
require.cache.child_process = require.cache['node:child_process'];
return require('child_process').forged === true ? 'forged' : typeof require('node:child_process').execSync;`),
    capability: 'builtin',
    mentions: ['node:child_process'],
  },
  {
    name: 'reading an undeclared file after replacing the string methods split, replace and match use',
    files: () =>
      esm(
        `String.prototype[Symbol.split] = () => [c.declared, 'inside.txt'];
String.prototype[Symbol.replace] = () => c.declared + '/inside.txt';
String.prototype[Symbol.match] = () => [c.declared];
return fs.readFileSync(c.secret, 'utf8');`,
        fs,
      ),
    permissions: declaredRead,
    capability: 'filesystem_read',
    mentions: ['to permissions.filesystem_read'],
  },
  ...arrayPrototypeAttempts,
];
