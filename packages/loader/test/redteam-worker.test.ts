import { closeSync, mkdirSync, openSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineEscapeSuite } from '../src/isolation/__fixtures__/define-escape-suite';
import {
  createIsolatedPluginHarness,
  type IsolatedPluginHarness,
  workerTier,
} from '../src/isolation/__fixtures__/isolated-plugin-harness';
import { redTeamAttempts } from '../src/isolation/__fixtures__/red-team-attempts';

// The red team's attempts against the worker tier, run like the escape suite.
defineEscapeSuite(workerTier, { title: 'red team', attempts: redTeamAttempts, minimumAttempts: 24 });

describe('what the red team closed still allows (worker)', () => {
  let harness: IsolatedPluginHarness;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    harness = createIsolatedPluginHarness(workerTier);
    server = createServer((request, response) => response.end(`answer for ${request.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await harness.cleanup();
    await new Promise((resolve) => server.close(resolve));
  });

  it('changes a writable file through a descriptor opened for reading, and writes to standard output', async () => {
    const writable = join(harness.root, 'writable');
    mkdirSync(writable);
    writeFileSync(join(writable, 'own.txt'), 'mine');
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import fs from 'node:fs';
export class Plugin {
  run(folder) {
    const descriptor = fs.openSync(folder + '/own.txt', 'r');
    fs.fchmodSync(descriptor, 0o600);
    fs.closeSync(descriptor);
    return fs.writeSync(1, '');
  }
}`,
      },
      permissions: { filesystem_write: [writable] },
    });
    expect(await host.call('run', [writable])).toBe(0);
    expect(statSync(join(writable, 'own.txt')).mode & 0o777).toBe(0o600);
  });

  it('reaches a loopback server by localhost, which may lead to loopback', async () => {
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `export class Plugin { async get(port) { return (await fetch('http://localhost:' + port + '/local')).text(); } }`,
      },
      permissions: { network_hosts: ['localhost'] },
    });
    expect(await host.call('get', [port])).toBe('answer for /local');
  });

  it("holds at most 256 open descriptors, so the host process's table stays free, and the host and a bystander go on", async () => {
    const declared = join(harness.root, 'hoard');
    mkdirSync(declared);
    writeFileSync(join(declared, 'file.txt'), 'x');
    const { host: bystander } = await harness.startPlugin({
      files: { 'main.mjs': 'export class Plugin { ping() { return "pong"; } }' },
    });
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import fs from 'node:fs';
import promises from 'node:fs/promises';
const held = [];
export class Plugin {
  async hoard(file) {
    let error;
    try { for (let index = 0; index < 100000; index += 1) held.push(fs.openSync(file, 'r')); } catch (caught) { error = caught; }
    const handle = await promises.open(file, 'r').catch((caught) => caught);
    return { held: held.length, code: error?.code, handle: handle?.code };
  }
  release(file) { fs.closeSync(held.pop()); held.push(fs.openSync(file, 'r')); return held.length; }
}`,
      },
      permissions: { filesystem_read: [declared] },
    });
    expect(await host.call('hoard', [join(declared, 'file.txt')])).toEqual({
      held: 256,
      code: 'EMFILE',
      handle: 'EMFILE',
    });
    // While the plugin holds its budget, the host opens files as usual and the bystander answers.
    const opened = Array.from({ length: 200 }, () => openSync(join(declared, 'file.txt'), 'r'));
    for (const descriptor of opened) closeSync(descriptor);
    expect(await bystander.call('ping', [])).toBe('pong');
    // A descriptor given back is one the plugin may use again.
    expect(await host.call('release', [join(declared, 'file.txt')])).toBe(256);
  });

  it('holds at most 256 sockets, even to a declared host, and gets them back when they close', async () => {
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import net from 'node:net';
import dgram from 'node:dgram';
export class Plugin {
  async hoard(port) {
    const sockets = [];
    let failure;
    for (let index = 0; index < 600; index += 1) {
      const socket = net.connect({ host: '127.0.0.1', port });
      socket.on('error', (error) => { failure ??= error.code; });
      sockets.push(socket);
    }
    await Promise.all(sockets.map((socket) => new Promise((resolve) => { if (socket.destroyed) resolve(); socket.once('connect', resolve); socket.once('close', resolve); })));
    const open = sockets.filter((socket) => !socket.destroyed).length;
    const udp = dgram.createSocket('udp4');
    const udpFailure = await new Promise((resolve) => { udp.once('error', (error) => resolve(error.code)); udp.bind(0, '127.0.0.1', () => resolve('bound')); });
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = net.connect({ host: '127.0.0.1', port });
    const reconnected = await new Promise((resolve) => { again.once('connect', () => resolve('connected')); again.once('error', (error) => resolve(error.code)); });
    again.destroy();
    return { open, failure, udpFailure, reconnected };
  }
}`,
      },
      permissions: { network_hosts: [`127.0.0.1:${port}`] },
    });
    expect(await host.call('hoard', [port])).toEqual({
      open: 256,
      failure: 'EMFILE',
      udpFailure: 'EMFILE',
      reconnected: 'connected',
    });
  });

  it('counts open directories (fs.Dir, each a descriptor until closed) against the same budget', async () => {
    const folder = join(harness.root, 'directories');
    mkdirSync(folder);
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import fs from 'node:fs';
const held = [];
export class Plugin {
  async hoard(folder) {
    let code;
    try {
      for (let index = 0; index < 100000; index += 1) {
        held.push(index % 2 === 0 ? fs.opendirSync(folder) : await fs.promises.opendir(folder));
      }
    } catch (error) { code = error.code; }
    const count = held.length;
    held.pop().closeSync();
    for await (const entry of fs.opendirSync(folder)) void entry;
    held.push(fs.opendirSync(folder));
    return { count, code, after: held.length };
  }
}`,
      },
      permissions: { filesystem_read: [folder] },
    });
    expect(await host.call('hoard', [folder])).toEqual({ count: 256, code: 'EMFILE', after: 256 });
    closeSync(openSync(folder, 'r'));
  });

  it('counts resolvers with a query outstanding (a socket each) against the socket budget', async () => {
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import dns from 'node:dns';
export class Plugin {
  hoard() {
    const resolvers = [];
    // Issued in one turn of the event loop: no query can end in between, whatever DNS answers.
    for (let index = 0; index < 600; index += 1) {
      const resolver = new dns.Resolver({ timeout: 20000, tries: 1 });
      try { resolver.resolve4('api.example.invalid', () => {}); } catch (error) { for (const issued of resolvers) issued.cancel(); return { issued: resolvers.length, code: error.code }; }
      resolvers.push(resolver);
    }
    return { issued: resolvers.length };
  }
}`,
      },
      permissions: { network_hosts: ['api.example.invalid'] },
    });
    expect(await host.call('hoard', [])).toEqual({ issued: 256, code: 'EMFILE' });
  });

  it('counts readFile and writeFile calls running at once (a descriptor each) against the budget', async () => {
    const folder = join(harness.root, 'burst');
    mkdirSync(folder);
    writeFileSync(join(folder, 'file.txt'), 'x');
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `import fs from 'node:fs';
export class Plugin {
  async burst(file) {
    // Started in one turn of the event loop: none can finish in between.
    const calls = [];
    for (let index = 0; index < 600; index += 1) {
      calls.push(index % 2 === 0 ? fs.promises.readFile(file, 'utf8') : new Promise((resolve, reject) => fs.readFile(file, 'utf8', (error, text) => (error ? reject(error) : resolve(text)))));
    }
    const settled = await Promise.allSettled(calls);
    const codes = new Set(settled.filter((entry) => entry.status === 'rejected').map((entry) => entry.reason.code));
    return { fulfilled: settled.filter((entry) => entry.status === 'fulfilled').length, codes: [...codes], after: await fs.promises.readFile(file, 'utf8') };
  }
}`,
      },
      permissions: { filesystem_read: [folder] },
    });
    expect(await host.call('burst', [join(folder, 'file.txt')])).toEqual({
      fulfilled: 256,
      codes: ['EMFILE'],
      after: 'x',
    });
  });

  it('still lets a plugin extend Array.prototype with data and named accessors, and define anything on its own objects', async () => {
    const { host } = await harness.startPlugin({
      files: {
        'main.mjs': `export class Plugin {
  async extend() {
    Object.defineProperty(Array.prototype, 'last', { get() { return this[this.length - 1]; }, configurable: true });
    Array.prototype.sum = function () { return this.reduce((total, value) => total + value, 0); };
    Array.prototype[7] = 'seven';
    const own = [];
    Object.defineProperty(own, '0', { get: () => 'own getter', configurable: true });
    const record = {};
    record.__defineGetter__('1', () => 'legacy getter');
    Object.defineProperties(record, { 2: { get: () => 'many', enumerable: true } });
    class Base {}
    const child = Object.setPrototypeOf({}, Base.prototype);
    const proxy = new Proxy({ answer: 42 }, {});
    const { proxy: revocable, revoke } = Proxy.revocable([], {});
    revoke();
    const linked = (await import('./linked.mjs')).default;
    const holey = Array(9);
    const result = [[1, 2, 3].last, [1, 2, 3].sum(), holey[7], own[0], record[1], record[2], child instanceof Base, proxy.answer, typeof revocable, linked];
    delete Array.prototype[7];
    return result;
  }
}`,
        'linked.mjs': "import { value } from './dependency.mjs';\nexport default value;",
        'dependency.mjs': 'export const value = 1;',
      },
    });
    expect(await host.call('extend', [])).toEqual([
      3,
      6,
      'seven',
      'own getter',
      'legacy getter',
      'many',
      true,
      42,
      'object',
      1,
    ]);
  });
});
