// A client that opens many idle or slow connections (slowloris) against a real `serve` process whose
// descriptor limit is low, as a service manager's default (1,024) is low against an attacker: the
// cap per client keeps the descriptors for everyone else.
import { type ChildProcess, spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTemporaryFolder } from '../../registry-client/test/helpers/plugin-fixtures';

const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const children: ChildProcess[] = [];
const sockets: Socket[] = [];

afterAll(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const child of children.splice(0)) child.kill();
});

/** `agentplug-marketplace serve` on a fresh store, allowed `descriptors` open files. */
async function serveWithDescriptorLimit(descriptors: number): Promise<string> {
  const store = await createTemporaryFolder();
  const command = [
    `ulimit -n ${descriptors}`,
    `exec ${JSON.stringify(process.execPath)} --conditions=@agentplug/source --import tsx ${JSON.stringify(cliPath)} serve --store ${JSON.stringify(`${store}/store`)} --port 0 --json --no-log-requests`,
  ].join(' && ');
  const child = spawn('bash', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let errors = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    errors += chunk;
  });
  return new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      if (buffered.includes('\n'))
        resolve((JSON.parse(buffered.split('\n')[0] ?? '') as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${errors}`)));
  });
}

/** Opens a connection from `localAddress` that sends half a request and then nothing. */
function slowConnection(url: URL, localAddress: string): Socket {
  const socket = connect({ host: url.hostname, port: Number(url.port), localAddress });
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: marketplace\r\n'));
  sockets.push(socket);
  return socket;
}

async function statusOf(url: URL, path: string, localAddress?: string): Promise<number | string> {
  const { request } = await import('node:http');
  return new Promise((resolve) => {
    const sent = request(new URL(path, url), { localAddress, agent: false, timeout: 10_000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    sent.on('timeout', () => {
      sent.destroy();
      resolve('timeout');
    });
    sent.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    sent.end();
  });
}

describe('red team: connection floods', { timeout: 120_000 }, () => {
  it('one client holding hundreds of half-sent requests does not keep another client out', async () => {
    const url = new URL(await serveWithDescriptorLimit(200));
    expect(await statusOf(url, 'healthz')).toBe(200);
    // 180 connections from 127.0.0.2 would take every descriptor the server has left.
    const flood = Array.from({ length: 180 }, () => slowConnection(url, '127.0.0.2'));
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const open = flood.filter((socket) => !socket.destroyed).length;
    // The server closed what went past the cap per client (64 by default) as it arrived.
    expect(open).toBeLessThanOrEqual(64);
    expect(await statusOf(url, 'healthz', '127.0.0.1')).toBe(200);
    expect(await statusOf(url, 'api/v1/search?q=anything', '127.0.0.1')).toBe(200);
    // The flooding client itself is served again once its connections are gone.
    for (const socket of flood) socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await statusOf(url, 'healthz', '127.0.0.2')).toBe(200);
  });
});
