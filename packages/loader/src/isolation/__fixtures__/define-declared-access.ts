import { createSocket, type Socket } from 'node:dgram';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIsolatedPluginHarness, type HarnessTier, waitFor } from './isolated-plugin-harness';

/**
 * Defines, for one tier, that what the escape suite refuses works once the manifest declares it:
 * reads, writes, environment variables, fetch, http, TCP and UDP (with replies).
 */
export function defineDeclaredAccess(tier: HarnessTier): void {
  const harness = createIsolatedPluginHarness(tier);
  let server: Server;
  let udp: Socket;
  const arrived = { requests: [] as string[], connections: 0, datagrams: [] as string[] };
  let port: number;
  let udpPort: number;

  beforeAll(async () => {
    server = createServer((request, response) => {
      arrived.requests.push(request.url ?? '');
      response.end(`answer for ${request.url}`);
    });
    server.on('connection', () => {
      arrived.connections += 1;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    udp = createSocket('udp4');
    udp.on('message', (message, sender) => {
      arrived.datagrams.push(String(message));
      udp.send(`reply to ${message}`, sender.port, sender.address);
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    udpPort = (udp.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    udp.close();
    await harness.cleanup();
  });

  describe(`declared access (${tier.name})`, () => {
    it('reads declared files, also through links that stay inside, and reports the reads', async () => {
      const data = join(harness.root, 'data');
      mkdirSync(data, { recursive: true });
      writeFileSync(join(data, 'a.txt'), 'alpha');
      symlinkSync(join(data, 'a.txt'), join(data, 'link-to-a'));
      const { host, events } = await harness.startPlugin({
        files: {
          'main.mjs': `import fs from 'node:fs';
import { readFile } from 'node:fs/promises';
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async read() {
    const { data } = this.config;
    const streamed = await new Promise((resolve, reject) => {
      let text = '';
      fs.createReadStream(data + '/a.txt', 'utf8').on('data', (chunk) => { text += chunk; }).on('end', () => resolve(text)).on('error', reject);
    });
    return {
      sync: fs.readFileSync(data + '/a.txt', 'utf8'),
      promise: await readFile(data + '/link-to-a', 'utf8'),
      callback: await new Promise((resolve, reject) => fs.readFile(data + '/a.txt', 'utf8', (error, text) => (error ? reject(error) : resolve(text)))),
      streamed,
      listing: fs.readdirSync(data).sort(),
      size: fs.statSync(data + '/a.txt').size,
      own: fs.readFileSync(new URL('./notes.txt', import.meta.url), 'utf8'),
    };
  }
}`,
          'notes.txt': 'the plugin reads its own folder',
        },
        permissions: { filesystem_read: [`${data}/**`] },
        config: { data },
      });
      expect(await host.call('read', [])).toEqual({
        sync: 'alpha',
        promise: 'alpha',
        callback: 'alpha',
        streamed: 'alpha',
        listing: ['a.txt', 'link-to-a'],
        size: 5,
        own: 'the plugin reads its own folder',
      });
      expect(events.some((event) => event.capability === 'filesystem_read' && event.allowed)).toBe(true);
      expect(events.some((event) => !event.allowed)).toBe(false);
    });

    it('writes inside a declared folder (relative to the plugin) with every API form', async () => {
      const second = await harness.startPlugin({
        files: {
          'main.mjs': `import fs from 'node:fs';
export class Plugin {
  async write() {
    const out = new URL('./out', import.meta.url).pathname;
    fs.mkdirSync(out + '/nested', { recursive: true });
    fs.writeFileSync(out + '/sync.txt', 'sync');
    await fs.promises.appendFile(out + '/sync.txt', '+promise');
    const descriptor = fs.openSync(out + '/nested/fd.txt', 'w');
    fs.writeSync(descriptor, 'through a descriptor');
    fs.closeSync(descriptor);
    fs.renameSync(out + '/nested/fd.txt', out + '/renamed.txt');
    await new Promise((resolve, reject) => fs.writeFile(out + '/callback.txt', 'callback', (error) => (error ? reject(error) : resolve())));
    fs.unlinkSync(out + '/callback.txt');
    return fs.readdirSync(out).sort();
  }
}`,
        },
        permissions: { filesystem_write: ['./out'] },
      });
      expect(await second.host.call('write', [])).toEqual(['nested', 'renamed.txt', 'sync.txt']);
      expect(readFileSync(join(second.pluginPath, 'out', 'sync.txt'), 'utf8')).toBe('sync+promise');
      expect(readFileSync(join(second.pluginPath, 'out', 'renamed.txt'), 'utf8')).toBe(
        'through a descriptor',
      );
    });

    it('sees declared environment variables', async () => {
      process.env.AGENTPLUG_DECLARED = 'visible';
      try {
        const { host, events } = await harness.startPlugin({
          files: {
            'main.mjs':
              'export class Plugin { read() { return [process.env.AGENTPLUG_DECLARED, Object.keys(process.env)]; } }',
          },
          permissions: { environment_variables: ['AGENTPLUG_DECLARED', 'AGENTPLUG_DECLARED_BUT_UNSET'] },
        });
        expect(await host.call('read', [])).toEqual(['visible', ['AGENTPLUG_DECLARED']]);
        expect(events).toContainEqual(
          expect.objectContaining({
            capability: 'environment_variables',
            target: 'AGENTPLUG_DECLARED',
            allowed: true,
          }),
        );
      } finally {
        delete process.env.AGENTPLUG_DECLARED;
      }
    });

    it('reaches a declared host with fetch, http, net and dgram', async () => {
      arrived.requests = [];
      arrived.datagrams = [];
      const { host, events } = await harness.startPlugin({
        files: {
          'main.mjs': `import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async reach() {
    const { port, udpPort } = this.config;
    const fetched = await (await fetch('http://127.0.0.1:' + port + '/fetch')).text();
    const viaHttp = await new Promise((resolve, reject) => {
      http.get('http://127.0.0.1:' + port + '/http', (response) => {
        let body = '';
        response.on('data', (chunk) => { body += chunk; }).on('end', () => resolve(body));
      }).on('error', reject);
    });
    const viaNet = await new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.end('GET /net HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n'));
      let text = '';
      socket.on('data', (chunk) => { text += chunk; }).on('end', () => resolve(text.includes('answer for /net'))).on('error', reject);
    });
    const reply = await new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.on('message', (message) => { socket.close(); resolve(String(message)); });
      socket.send('datagram', udpPort, '127.0.0.1', (error) => { if (error) reject(error); });
    });
    return { fetched, viaHttp, viaNet, reply };
  }
}`,
        },
        permissions: { network_hosts: ['127.0.0.1'] },
        config: { port, udpPort },
      });
      expect(await host.call('reach', [])).toEqual({
        fetched: 'answer for /fetch',
        viaHttp: 'answer for /http',
        viaNet: true,
        reply: 'reply to datagram',
      });
      expect(arrived.requests.sort()).toEqual(['/fetch', '/http', '/net']);
      await waitFor(() => arrived.datagrams.length === 1);
      expect(arrived.datagrams).toEqual(['datagram']);
      expect(events).toContainEqual(
        expect.objectContaining({ capability: 'network', target: `127.0.0.1:${port}`, allowed: true }),
      );
    });

    it('matches a declared host with a port only on that port, and wildcards on subdomains', async () => {
      const { host } = await harness.startPlugin({
        files: {
          'main.mjs': `import dns from 'node:dns/promises';
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async probe() {
    const outcome = async (task) => { try { await task(); return 'allowed'; } catch (error) { return error.code === 'PERMISSION_DENIED' ? 'denied' : 'allowed'; } };
    return {
      declaredPort: await outcome(() => fetch('http://127.0.0.1:' + this.config.port + '/port')),
      otherPort: await outcome(() => fetch('http://127.0.0.1:1/other')),
      subdomain: await outcome(() => dns.lookup('api.example.invalid')),
      apex: await outcome(() => dns.lookup('example.invalid')),
    };
  }
}`,
        },
        permissions: { network_hosts: [`127.0.0.1:${port}`, '*.example.invalid'] },
        config: { port },
      });
      expect(await host.call('probe', [])).toEqual({
        declaredPort: 'allowed',
        otherPort: 'denied',
        subdomain: 'allowed',
        apex: 'denied',
      });
    });
  });
}
