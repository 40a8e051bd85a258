import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapsuleReader, encodeDatagramCapsule } from '../runtime/proxy-forwarders.mjs';
import { type AllowListProxy, startAllowListProxy } from './allow-list-proxy';

// The host-side gate of the OS-sandboxed process tier, driven over its Unix socket as a sandbox
// would: CONNECT tunnels, plain HTTP forwarding and connect-udp, only to declared hosts and ports.

let server: Server;
let port: number;
let echo: DatagramSocket;
let udpPort: number;
let proxy: AllowListProxy;
const decisions: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  server = createHttpServer((request, response) => {
    requests.push(request.url ?? '');
    response.end(`answer for ${request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  echo = createSocket('udp4');
  echo.on('message', (message, sender) =>
    echo.send(Buffer.concat([Buffer.from('echo:'), message]), sender.port, sender.address),
  );
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
  udpPort = (echo.address() as AddressInfo).port;
  proxy = await startAllowListProxy({
    networkHosts: [`127.0.0.1:${port}`, `127.0.0.1:${udpPort}`, 'localhost', hostname()],
    onDecision: (target, allowed) => decisions.push(`${target} ${allowed}`),
  });
});

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => server.close(resolve));
  echo.close();
});

/** Sends `request` on a fresh connection to the proxy; resolves with everything it answers. */
function exchange(request: string | Buffer, until: (text: string) => boolean = () => false): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ path: proxy.socketPath });
    let text = '';
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until(text)) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    socket.write(request);
  });
}

describe('startAllowListProxy', () => {
  it('tunnels a CONNECT to a declared host and port', async () => {
    const answer = await exchange(
      `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\nGET /tunneled HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(answer).toContain('answer for /tunneled');
    expect(decisions).toContain(`127.0.0.1:${port} true`);
  });

  it('refuses a CONNECT to an undeclared port or host, and reports it', async () => {
    expect(await exchange(`CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(await exchange(`CONNECT attacker.invalid:443 HTTP/1.1\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 403 Forbidden/,
    );
    expect(decisions).toContain('127.0.0.1:1 false');
    expect(decisions).toContain('attacker.invalid:443 false');
  });

  it('matches by name: a declared name is resolved by the host, an IP spelling of it is not that name', async () => {
    const byName = await exchange(
      `CONNECT localhost:${port} HTTP/1.1\r\n\r\nGET /by-name HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(byName).toContain('answer for /by-name');
    expect(await exchange(`CONNECT 127.1:${port + 1} HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 403/);
  });

  it('forwards a plain HTTP request to a declared host, in origin form', async () => {
    requests.length = 0;
    const answer = await exchange(
      `GET http://127.0.0.1:${port}/forwarded?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`,
    );
    expect(answer).toContain('answer for /forwarded?x=1');
    expect(requests).toEqual(['/forwarded?x=1']);
    expect(await exchange(`GET http://127.0.0.1:1/nope HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 403/,
    );
  });

  it('answers garbage with 400 and closes an endless head', async () => {
    expect(await exchange('NONSENSE\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(`CONNECT not-an-authority HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(`GET ftp://127.0.0.1:${port}/ HTTP/1.1\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400/);
    expect(await exchange(`GET / HTTP/1.1\r\nX: ${'y'.repeat(20_000)}`)).toBe('');
  });

  it('relays datagrams both ways through connect-udp to a declared port only', async () => {
    const head = `GET /.well-known/masque/udp/127.0.0.1/${udpPort}/ HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n\r\n`;
    const replies: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ path: proxy.socketPath });
      let upgraded = false;
      let buffered = Buffer.alloc(0);
      const read = createCapsuleReader((payload: Buffer) => {
        replies.push(payload.toString());
        socket.destroy();
        resolve();
      });
      socket.on('data', (chunk: Buffer) => {
        if (upgraded) return read(chunk);
        buffered = Buffer.concat([buffered, chunk]);
        const end = buffered.indexOf('\r\n\r\n');
        if (end === -1) return;
        expect(buffered.subarray(0, end).toString()).toMatch(/^HTTP\/1\.1 101/);
        upgraded = true;
        if (buffered.length > end + 4) read(buffered.subarray(end + 4));
        socket.write(encodeDatagramCapsule(Buffer.from('ping')));
      });
      socket.on('error', reject);
      socket.write(head);
    });
    expect(replies).toEqual(['echo:ping']);
    const refused = await exchange(head.replace(`/${udpPort}/`, '/1/'));
    expect(refused).toMatch(/^HTTP\/1\.1 403/);
  });

  // The machine's own name resolves (through /etc/hosts) to an internal address: loopback here,
  // where the test server listens. It stands for a declared name pointed at the host's ports, a
  // private network or a metadata service (DNS rebinding).
  it('refuses a declared name that resolves only to internal addresses, for every route, and reports it', async () => {
    const name = hostname();
    requests.length = 0;
    decisions.length = 0;
    expect(
      await exchange(`CONNECT ${name}:${port} HTTP/1.1\r\n\r\nGET /rebound HTTP/1.1\r\nHost: x\r\n\r\n`),
    ).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(await exchange(`GET http://${name}:${port}/rebound HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(
      /^HTTP\/1\.1 403 Forbidden/,
    );
    const udp = `GET /.well-known/masque/udp/${name}/${udpPort}/ HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n\r\n`;
    expect(await exchange(udp)).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(requests).toEqual([]);
    // Allowed by name, then refused for where the name leads: both decisions reach the audit trail.
    expect(decisions).toContain(`${name}:${port} true`);
    expect(decisions).toContain(`${name}:${port} (127.0.0.1) false`);
    expect(decisions).toContain(`${name}:${udpPort} (127.0.0.1) false`);
  });

  it('sends a request smuggled behind a forwarded one only to the declared upstream, never to its own target', async () => {
    requests.length = 0;
    decisions.length = 0;
    const smuggled = [
      `GET http://127.0.0.1:${port}/first HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\n\r\n`,
      `GET http://attacker.invalid:1/smuggled HTTP/1.1\r\nHost: attacker.invalid:1\r\n\r\n`,
      `CONNECT 127.0.0.1:1 HTTP/1.1\r\n\r\n`,
    ].join('');
    await exchange(smuggled);
    // Only the declared destination was reached (allowed ones are reported once, and it already
    // was); the smuggled targets were never even decided on: they went to that upstream as bytes.
    expect(decisions).toEqual([]);
    expect(requests[0]).toBe('/first');
  });

  it('lets localhost lead to loopback, and a declared address be reached as itself', async () => {
    const byLocalhost = await exchange(
      `CONNECT localhost:${port} HTTP/1.1\r\n\r\nGET /localhost HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(byLocalhost).toContain('answer for /localhost');
    const byAddress = await exchange(
      `CONNECT 127.0.0.1:${port} HTTP/1.1\r\n\r\nGET /address HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expect(byAddress).toContain('answer for /address');
  });
});
