import { request } from 'node:http';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryPluginSource } from './__fixtures__/memory-plugin-source';
import { type McpHttpServer, serveMcpOverHttp } from './serve-mcp-over-http';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function createSource(): MemoryPluginSource {
  const source = new MemoryPluginSource();
  source.addPlugin('com.example.greeter', { greet: { handler: ({ name }) => `Hello, ${String(name)}!` } });
  return source;
}

async function serve(source: MemoryPluginSource): Promise<McpHttpServer> {
  const http = await serveMcpOverHttp(source, { listChangedDebounceMs: 0 });
  cleanups.push(() => http.close());
  return http;
}

async function connectClient(http: McpHttpServer): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  cleanups.push(() => client.close());
  return client;
}

function send(
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

describe('serveMcpOverHttp', () => {
  it('binds to 127.0.0.1 and serves tools to independent sessions', async () => {
    const http = await serve(createSource());
    expect(http.host).toBe('127.0.0.1');
    expect(http.url).toBe(`http://127.0.0.1:${http.port}/mcp`);
    const first = await connectClient(http);
    const second = await connectClient(http);
    expect(http.sessionCount()).toBe(2);
    const { tools } = await first.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['com_example_greeter__greet']);
    const result = await second.callTool({ name: 'com_example_greeter__greet', arguments: { name: 'Ada' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
  });

  it('pushes list_changed to each session over its event stream', async () => {
    const source = createSource();
    const http = await serve(source);
    const client = await connectClient(http);
    const notified = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve());
    });
    // The client opens its event stream right after initializing; wait until the server sees it.
    await client.listTools();
    await new Promise((resolve) => setTimeout(resolve, 50));
    source.addPlugin('com.example.clock', { now: { handler: () => 'noon' } });
    await notified;
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['com_example_clock__now', 'com_example_greeter__greet']);
  });

  it('ends a session on DELETE and forgets it', async () => {
    const http = await serve(createSource());
    const client = await connectClient(http);
    const transport = client.transport as StreamableHTTPClientTransport;
    await transport.terminateSession();
    expect(http.sessionCount()).toBe(0);
  });

  it('rejects requests without a session, with an unknown session, or from another host', async () => {
    const http = await serve(createSource());
    const listTools = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' });
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    expect((await send(http.url, { method: 'POST', headers, body: listTools })).status).toBe(400);
    expect(
      (
        await send(http.url, {
          method: 'POST',
          headers: { ...headers, 'mcp-session-id': 'nope' },
          body: listTools,
        })
      ).status,
    ).toBe(404);
    expect((await send(http.url, { method: 'POST', headers, body: '{not json' })).status).toBe(400);
    expect(
      (
        await send(http.url, {
          method: 'POST',
          headers: { ...headers, host: 'evil.example' },
          body: listTools,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await send(http.url, {
          method: 'POST',
          headers: { ...headers, origin: 'https://evil.example' },
          body: listTools,
        })
      ).status,
    ).toBe(403);
    expect((await send(http.url.replace('/mcp', '/other'), { method: 'GET' })).status).toBe(404);
  });

  it('stops listening on close and closes the open sessions', async () => {
    const source = createSource();
    const http = await serveMcpOverHttp(source);
    await connectClient(http);
    expect(source.listenerCount()).toBe(1);
    await http.close();
    expect(source.listenerCount()).toBe(0);
    await expect(send(http.url, { method: 'GET' })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
