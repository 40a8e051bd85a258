import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, isIP, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type HostRule,
  matchesHostRules,
  mayNameReachAddress,
  normalizeHost,
  parseHostRules,
} from '../runtime/host-rules.mjs';
import { createCapsuleReader, encodeDatagramCapsule } from '../runtime/proxy-forwarders.mjs';

/** Options of {@link startAllowListProxy}. */
export interface AllowListProxyOptions {
  /** The plugin's `network_hosts`. */
  networkHosts: readonly string[];
  /** Called for every destination the proxy is asked for (allowed ones once each). */
  onDecision?: ((target: string, allowed: boolean) => void) | undefined;
}

/** A running proxy: its socket path, and `close()`. */
export interface AllowListProxy {
  socketPath: string;
  close(): Promise<void>;
}

const maximumHead = 16 * 1024;
const headTimeoutMs = 10_000;
const connectTimeoutMs = 15_000;
const maximumConnections = 256;
const maximumDatagram = 65_527;

interface RequestHead {
  method: string;
  target: string;
  headers: Map<string, string>;
  /** Bytes after the head, already read. */
  rest: Buffer;
}

function parseHead(bytes: Buffer): RequestHead | undefined {
  const text = bytes.toString('latin1');
  const lines = text.split('\r\n');
  const [method, target, version] = (lines[0] ?? '').split(' ');
  if (
    method === undefined ||
    target === undefined ||
    version === undefined ||
    !version.startsWith('HTTP/1.')
  ) {
    return undefined;
  }
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { method, target, headers, rest: Buffer.alloc(0) };
}

/** Splits `host:port` (IPv6 in brackets); undefined when it is not one. */
function parseAuthority(authority: string): { host: string; port: string } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(authority);
  if (match?.[1] === undefined || match[2] === undefined) return undefined;
  const port = Number(match[2]);
  if (port < 1 || port > 65_535) return undefined;
  return { host: normalizeHost(match[1]), port: String(port) };
}

/**
 * Runs a socket operation from an event handler: the proxy serves an untrusted plugin, and nothing
 * it makes happen (a datagram after its socket closed, a second close) may throw into the host.
 */
function safely(operation: () => void): void {
  try {
    operation();
  } catch {
    // The socket is gone; what was asked of it no longer matters.
  }
}

/** A declared name that resolved only to addresses it may not lead to. */
class InternalAddressError extends Error {}

function respond(socket: Socket, status: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Starts the host-side network gate of one sandboxed plugin: an HTTP proxy on a Unix socket (in a
 * fresh private folder) that the plugin's sandbox reaches through a bind mount. It serves CONNECT
 * tunnels, plain HTTP forwarding (absolute-form requests) and UDP through the `connect-udp`
 * upgrade (RFC 9298 capsules), each only to a host and port the plugin's `network_hosts` allows,
 * matched by name, with the name resolved here by the host's resolver. Anything else is refused.
 */
export async function startAllowListProxy(options: AllowListProxyOptions): Promise<AllowListProxy> {
  const rules: HostRule[] = parseHostRules(options.networkHosts);
  const folder = mkdtempSync(join(tmpdir(), 'agentplug-proxy-'));
  const socketPath = join(folder, 'proxy.sock');
  const reported = new Set<string>();
  const open = new Set<Socket | DatagramSocket>();

  const reportDecision = (target: string, allowed: boolean): void => {
    try {
      options.onDecision?.(target, allowed);
    } catch {
      // A failing listener must not break the proxy.
    }
  };

  const decide = (host: string, port: string): boolean => {
    const allowed = matchesHostRules(rules, host, port);
    const target = `${host}:${port}`;
    if (!allowed || !reported.has(target)) {
      if (allowed && reported.size < 10_000) reported.add(target);
      reportDecision(target, allowed);
    }
    return allowed;
  };

  /**
   * The address to reach for an allowed host: a declared address as it is; a name resolved here,
   * to the first address it may lead to (never an internal one: a declared name pointed at
   * loopback, a private network or a cloud metadata service is DNS rebinding, refused and reported).
   */
  const resolveHost = async (host: string, port: string): Promise<{ address: string; family: number }> => {
    if (isIP(host) !== 0) return { address: host, family: isIP(host) };
    const addresses = await lookup(host, { all: true });
    for (const candidate of addresses) {
      if (mayNameReachAddress(host, candidate.address)) return candidate;
    }
    reportDecision(`${host}:${port} (${addresses[0]?.address ?? 'no address'})`, false);
    throw new InternalAddressError(`${host} resolves only to internal addresses`);
  };

  const tunnel = async (
    client: Socket,
    host: string,
    port: string,
    head: Buffer,
    reply: string | undefined,
  ) => {
    let address: { address: string; family: number };
    try {
      address = await resolveHost(host, port);
    } catch (error) {
      respond(client, error instanceof InternalAddressError ? '403 Forbidden' : '502 Bad Gateway');
      return;
    }
    const upstream = connect({
      host: address.address,
      port: Number(port),
      family: address.family,
      allowHalfOpen: true,
    });
    open.add(upstream);
    upstream.setTimeout(connectTimeoutMs, () => upstream.destroy());
    upstream.once('connect', () => {
      upstream.setTimeout(0);
      if (reply !== undefined) client.write(reply);
      if (head.length > 0) upstream.write(head);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    upstream.on('error', () => {
      if (!client.destroyed && upstream.bytesRead === 0) respond(client, '502 Bad Gateway');
      else client.destroy();
    });
    // Each direction ends on its own (pipe ends the other side); a side that is gone ends both.
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    client.on('close', () => upstream.destroy());
  };

  const relayDatagrams = async (client: Socket, host: string, port: string, rest: Buffer) => {
    let address: { address: string; family: number };
    try {
      address = await resolveHost(host, port);
    } catch (error) {
      respond(client, error instanceof InternalAddressError ? '403 Forbidden' : '502 Bad Gateway');
      return;
    }
    const socket = createSocket(address.family === 6 ? 'udp6' : 'udp4');
    let closed = false;
    socket.on('close', () => {
      closed = true;
    });
    open.add(socket);
    socket.on('error', () => client.destroy());
    if (client.destroyed) {
      closed = true;
      safely(() => socket.close());
      return;
    }
    safely(() =>
      socket.connect(Number(port), address.address, () => {
        client.write(
          'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: connect-udp\r\nCapsule-Protocol: ?1\r\n\r\n',
        );
        const read = createCapsuleReader((payload: Buffer) => {
          if (payload.length <= maximumDatagram && !closed) safely(() => socket.send(payload));
        });
        if (rest.length > 0) safely(() => read(rest));
        client.on('data', (chunk: Buffer) => safely(() => read(chunk)));
        client.resume();
        socket.on('message', (payload: Buffer) => safely(() => client.write(encodeDatagramCapsule(payload))));
      }),
    );
    client.on('close', () => {
      open.delete(socket);
      if (closed) return;
      closed = true;
      safely(() => socket.close());
    });
  };

  const handle = (client: Socket, head: RequestHead): void => {
    if (head.method === 'CONNECT') {
      const authority = parseAuthority(head.target);
      if (authority === undefined) {
        respond(client, '400 Bad Request');
        return;
      }
      if (!decide(authority.host, authority.port)) {
        respond(client, '403 Forbidden');
        return;
      }
      void tunnel(
        client,
        authority.host,
        authority.port,
        head.rest,
        'HTTP/1.1 200 Connection Established\r\n\r\n',
      );
      return;
    }
    const udp = /^\/\.well-known\/masque\/udp\/([^/]+)\/(\d{1,5})\/$/.exec(head.target);
    if (
      udp?.[1] !== undefined &&
      udp[2] !== undefined &&
      head.headers.get('upgrade')?.toLowerCase() === 'connect-udp'
    ) {
      let host: string;
      try {
        host = normalizeHost(decodeURIComponent(udp[1]));
      } catch {
        respond(client, '400 Bad Request');
        return;
      }
      const authority = parseAuthority(host.includes(':') ? `[${host}]:${udp[2]}` : `${host}:${udp[2]}`);
      if (authority === undefined) {
        respond(client, '400 Bad Request');
        return;
      }
      if (!decide(authority.host, authority.port)) {
        respond(client, '403 Forbidden');
        return;
      }
      void relayDatagrams(client, authority.host, authority.port, head.rest);
      return;
    }
    // Plain HTTP forwarding: `GET http://host:port/path HTTP/1.1`, sent on with the origin-form target.
    let url: URL;
    try {
      url = new URL(head.target);
    } catch {
      respond(client, '400 Bad Request');
      return;
    }
    if (url.protocol !== 'http:') {
      respond(client, '400 Bad Request');
      return;
    }
    const host = normalizeHost(url.hostname);
    const port = url.port === '' ? '80' : url.port;
    if (!decide(host, port)) {
      respond(client, '403 Forbidden');
      return;
    }
    const lines = [`${head.method} ${url.pathname}${url.search} HTTP/1.1`];
    for (const [name, value] of head.headers) {
      if (name === 'proxy-connection' || name === 'proxy-authorization' || name === 'connection') continue;
      lines.push(`${name}: ${value}`);
    }
    lines.push('connection: close', '', '');
    void tunnel(
      client,
      host,
      port,
      Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), head.rest]),
      undefined,
    );
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    if (open.size >= maximumConnections) {
      client.destroy();
      return;
    }
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    let buffered = Buffer.alloc(0);
    const timer = setTimeout(() => client.destroy(), headTimeoutMs);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) {
        if (buffered.length > maximumHead) client.destroy();
        return;
      }
      clearTimeout(timer);
      client.off('data', onData);
      // Paused until the tunnel is set up: what the client sends meanwhile waits in the socket.
      client.pause();
      const head = parseHead(buffered.subarray(0, end));
      if (head === undefined) {
        respond(client, '400 Bad Request');
        return;
      }
      head.rest = buffered.subarray(end + 4);
      handle(client, head);
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    socketPath,
    async close(): Promise<void> {
      for (const socket of open) {
        if ('destroy' in socket) socket.destroy();
        else safely(() => socket.close());
      }
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
