import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createMcpServer, type McpPluginServer } from './create-mcp-server';
import type { McpServerOptions } from './mcp-server-options';
import type { McpPluginSource } from './plugin-source';

/** Options of {@link serveMcpOverHttp}: the server's options plus where to listen. */
export interface McpHttpServerOptions extends McpServerOptions {
  /** The interface to bind. Default `127.0.0.1`: reachable from this machine only. */
  host?: string;
  /** The port; default 0 (any free port, read it from the result). */
  port?: number;
  /** The endpoint path. Default `/mcp`. */
  path?: string;
  /**
   * Host names (without port) accepted in the `Host` and `Origin` headers besides the loopback
   * names, which guards against DNS rebinding. When bound to a non-loopback host, every host is
   * accepted unless this list is given.
   */
  allowedHosts?: readonly string[];
  /** The largest request body accepted, in bytes. Default 4 MiB. */
  maxRequestBytes?: number;
}

/** A running Streamable HTTP MCP endpoint. */
export interface McpHttpServer {
  /** The endpoint URL, such as `http://127.0.0.1:51234/mcp`. */
  url: string;
  host: string;
  port: number;
  /** How many MCP sessions are open. */
  sessionCount(): number;
  /** Closes every session and stops listening. Idempotent. */
  close(): Promise<void>;
}

interface HttpSession {
  transport: StreamableHTTPServerTransport;
  mcp: McpPluginServer;
}

const loopbackHosts = ['127.0.0.1', 'localhost', '[::1]', '::1'];

/**
 * Serves the active plugins of `source` over MCP's Streamable HTTP transport, with one MCP session
 * (and one server) per client, bound to 127.0.0.1 unless told otherwise.
 *
 * @example
 * const http = await serveMcpOverHttp(loader, { port: 3333 });
 * console.log(`MCP endpoint: ${http.url}`);
 */
export async function serveMcpOverHttp(
  source: McpPluginSource,
  options: McpHttpServerOptions = {},
): Promise<McpHttpServer> {
  const host = options.host ?? '127.0.0.1';
  const endpointPath = options.path ?? '/mcp';
  const maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
  const isLoopback = loopbackHosts.includes(host);
  const allowedHosts =
    options.allowedHosts || isLoopback
      ? new Set([...loopbackHosts, ...(options.allowedHosts ?? [])])
      : undefined;
  const sessions = new Map<string, HttpSession>();

  const startSession = async (
    request: IncomingMessage,
    response: ServerResponse,
    body: unknown,
  ): Promise<void> => {
    const mcp = createMcpServer(source, options);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sessionId) => {
        sessions.set(sessionId, { transport, mcp });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await mcp.connect(transport);
    await transport.handleRequest(request, response, body);
    // An initialize request the transport refused leaves no session behind to serve.
    if (transport.sessionId === undefined) await mcp.close();
  };

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== endpointPath) return sendError(response, 404, `Not found: use ${endpointPath}`);
    if (allowedHosts && !isAllowedRequest(request, allowedHosts)) {
      return sendError(response, 403, 'Forbidden: Host or Origin not allowed');
    }
    const sessionHeader = request.headers['mcp-session-id'];
    const sessionId = Array.isArray(sessionHeader) ? sessionHeader[0] : sessionHeader;
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (!session) return sendError(response, 404, 'Session not found: initialize a new session');
      return session.transport.handleRequest(request, response);
    }
    if (request.method !== 'POST')
      return sendError(response, 400, 'Bad Request: no valid session ID provided');
    const body = await readJsonBody(request, maxRequestBytes);
    if (!body.ok) return sendError(response, body.status, body.message, body.rpcCode);
    if (!isInitializeRequest(body.value)) {
      return sendError(response, 400, 'Bad Request: no valid session ID provided');
    }
    return startSession(request, response, body.value);
  };

  const httpServer = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
      if (!response.headersSent) sendError(response, 500, 'Internal server error', -32603);
      else response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}${endpointPath}`,
    host,
    port,
    sessionCount: () => sessions.size,
    close() {
      closing ??= (async () => {
        const open = [...sessions.values()];
        sessions.clear();
        await Promise.allSettled(open.map((session) => session.mcp.close()));
        await new Promise<void>((resolve) => {
          httpServer.close(() => resolve());
          httpServer.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

function isAllowedRequest(request: IncomingMessage, allowedHosts: ReadonlySet<string>): boolean {
  const hostHeader = request.headers.host;
  if (!hostHeader || !allowedHosts.has(stripPort(hostHeader))) return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  try {
    return allowedHosts.has(new URL(origin).hostname);
  } catch {
    return false;
  }
}

function stripPort(hostHeader: string): string {
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return colon === -1 ? hostHeader : hostHeader.slice(0, colon);
}

type JsonBody =
  | { ok: true; value: unknown }
  | { ok: false; status: number; message: string; rpcCode: number };

async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<JsonBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > maxBytes)
      return { ok: false, status: 413, message: 'Request body too large', rpcCode: -32000 };
    chunks.push(buffer);
  }
  try {
    return { ok: true, value: JSON.parse(Buffer.concat(chunks).toString('utf8')) };
  } catch {
    return { ok: false, status: 400, message: 'Parse error: the body is not valid JSON', rpcCode: -32700 };
  }
}

function sendError(response: ServerResponse, status: number, message: string, rpcCode = -32000): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ jsonrpc: '2.0', error: { code: rpcCode, message }, id: null }));
}
