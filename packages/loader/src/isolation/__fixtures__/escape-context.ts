import { createSocket, type Socket } from 'node:dgram';
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { PluginHost } from '../../host/plugin-host';
import {
  createIsolatedPluginHarness,
  type HarnessTier,
  type IsolatedPluginHarness,
} from './isolated-plugin-harness';

/** What an escape attempt is given (as its plugin config) and what the checks look at afterwards. */
export interface EscapeContext {
  harness: IsolatedPluginHarness;
  tier: HarnessTier;
  /** Passed to each attempt as its config (`c` in the attempt body). */
  config: {
    port: number;
    udpPort: number;
    root: string;
    secret: string;
    declared: string;
    writable: string;
    canary: string;
    marker: string;
    hostFd: number;
  };
  /** What reached the loopback servers since the last reset. */
  arrived: { connections: number; requests: string[]; datagrams: number };
  /** A plugin in the same tier that must keep answering. */
  bystander(): PluginHost;
  /** Proves no side effect: nothing reached the servers, no file was made or changed, the host env is intact. */
  expectNothingEscaped(): Promise<void>;
  close(): Promise<void>;
}

/** The secret a host environment variable holds: no plugin may ever see it. */
export const hostSecretValue = 'host secret value';
const canaryContent = 'the canary, unchanged';

/** What identifies a file and what a metadata change (chmod, chown, utimes, truncate) would alter. */
function fingerprint(stats: {
  dev: number;
  ino: number;
  mode: number;
  uid: number;
  size: number;
  mtimeMs: number;
}) {
  return {
    dev: stats.dev,
    ino: stats.ino,
    mode: stats.mode,
    uid: stats.uid,
    size: stats.size,
    mtimeMs: stats.mtimeMs,
  };
}

/** The host's standard output and error (in a worker, the plugin's descriptors 1 and 2 are these). */
function hostStandardStreams() {
  return [1, 2].map((descriptor) => {
    const stats = fstatSync(descriptor);
    return { dev: stats.dev, ino: stats.ino, mode: stats.mode, uid: stats.uid };
  });
}

/**
 * Starts what an escape suite measures against: a loopback HTTP server and UDP socket that count
 * what arrives, a secret file outside every declared path, a declared read folder (with a symlink
 * out and a canary file that must never change), a declared write folder (with a dangling link out),
 * a host file descriptor, a host environment variable, and a bystander plugin.
 */
export async function createEscapeContext(tier: HarnessTier): Promise<EscapeContext> {
  const harness = createIsolatedPluginHarness(tier);
  const arrived = { connections: 0, requests: [] as string[], datagrams: 0 };
  const server: Server = createServer((request, response) => {
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
  const udp: Socket = createSocket('udp4');
  udp.on('message', () => {
    arrived.datagrams += 1;
  });
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
  const root = harness.root;
  const declared = join(root, 'declared');
  const writable = join(root, 'writable');
  const outsideFolder = join(root, 'outside-folder');
  mkdirSync(declared, { recursive: true });
  mkdirSync(writable, { recursive: true });
  mkdirSync(outsideFolder, { recursive: true });
  const secret = join(root, 'secret.txt');
  writeFileSync(secret, 'the host secret');
  writeFileSync(join(outsideFolder, 'deep-secret.txt'), 'the host secret, deeper');
  writeFileSync(join(declared, 'inside.txt'), 'inside');
  const canary = join(declared, 'canary.txt');
  writeFileSync(canary, canaryContent);
  symlinkSync(secret, join(declared, 'link-to-secret'));
  symlinkSync(outsideFolder, join(declared, 'link-to-outside-folder'));
  symlinkSync(join(root, 'created-through-link.txt'), join(writable, 'dangling'));
  writeFileSync(join(root, 'outside.mjs'), 'export const stolen = true;');
  writeFileSync(join(root, 'outside.cjs'), 'module.exports = { stolen: true };');
  writeFileSync(join(root, 'outside.json'), '{ "stolen": true }');
  const hostFd = openSync(secret, 'r');
  const canaryBefore = fingerprint(statSync(canary));
  const streamsBefore = hostStandardStreams();
  process.env.AGENTPLUG_TEST_SECRET = hostSecretValue;
  const { host: bystander } = await harness.startPlugin({
    files: { 'main.mjs': 'export class Plugin { ping() { return "pong"; } }' },
  });
  const config = {
    port: (server.address() as AddressInfo).port,
    udpPort: (udp.address() as AddressInfo).port,
    root,
    secret,
    declared,
    writable,
    canary,
    marker: join(root, 'spawned-marker'),
    hostFd,
  };
  return {
    harness,
    tier,
    config,
    arrived,
    bystander: () => bystander,
    async expectNothingEscaped(): Promise<void> {
      expect(arrived.connections, 'connections to the loopback server').toBe(0);
      expect(arrived.datagrams, 'datagrams to the loopback socket').toBe(0);
      expect(existsSync(config.marker), 'a spawned process left its marker').toBe(false);
      for (const made of [
        join(root, 'written-outside.txt'),
        join(root, 'created-through-link.txt'),
        join(writable, 'copy.txt'),
        join(writable, 'planted'),
        join(writable, 'hard-link'),
        join(root, 'compile-cache'),
      ]) {
        expect(existsSync(made), `${made} exists`).toBe(false);
      }
      expect(readFileSync(canary, 'utf8')).toBe(canaryContent);
      expect(fingerprint(statSync(canary)), "the canary's mode, owner, size or times").toEqual(canaryBefore);
      expect(hostStandardStreams(), "the host's standard output and error").toEqual(streamsBefore);
      expect(process.env.AGENTPLUG_TEST_SECRET).toBe(hostSecretValue);
      expect(await bystander.call('ping', [])).toBe('pong');
    },
    async close(): Promise<void> {
      closeSync(hostFd);
      delete process.env.AGENTPLUG_TEST_SECRET;
      await new Promise((resolve) => server.close(resolve));
      udp.close();
      await harness.cleanup();
    },
  };
}
