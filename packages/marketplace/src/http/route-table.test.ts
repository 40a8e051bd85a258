import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PluginError } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { sendJson } from './http-helpers';
import { createRequestListener, type Route } from './route-table';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

async function serve(routes: readonly Route[]): Promise<string> {
  const server = createServer(createRequestListener(routes));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const echo: Route = {
  methods: ['GET', 'HEAD'],
  path: '/api/v1/plugins/:pluginId/versions/:version',
  handle: ({ response, params, method }) => sendJson(response, 200, { method, ...params }),
};

describe('createRequestListener', () => {
  it('routes by method and path and hands over the named segments, percent-decoded', async () => {
    const base = await serve([echo]);
    const response = await fetch(`${base}/api/v1/plugins/com.example.a/versions/1.0.0%2Bbuild.1`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      method: 'GET',
      pluginId: 'com.example.a',
      version: '1.0.0+build.1',
    });
  });

  it('answers NOT_FOUND (404) for an unknown path, a wrong method, an empty or an extra segment', async () => {
    const base = await serve([echo]);
    for (const [method, path] of [
      ['GET', '/nothing'],
      ['POST', '/api/v1/plugins/com.example.a/versions/1.0.0'],
      ['GET', '/api/v1/plugins//versions/1.0.0'],
      ['GET', '/api/v1/plugins/com.example.a/versions/1.0.0/more'],
    ] as const) {
      const response = await fetch(`${base}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    }
  });

  it('answers a malformed percent-encoding with INVALID_ARGUMENT (400), not a crash', async () => {
    const base = await serve([echo]);
    const response = await fetch(`${base}/api/v1/plugins/%E0%A4%A/versions/1.0.0`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
  });

  it('answers a thrown PluginError with the status the error table gives its code', async () => {
    const routes: Route[] = (['CONFLICT', 'UNAUTHORIZED', 'TOO_LARGE', 'VALIDATION_FAILED'] as const).map(
      (code) => ({
        methods: ['POST'],
        path: `/${code}`,
        handle: () => {
          throw new PluginError(code, `failed with ${code}`, { details: { code } });
        },
      }),
    );
    const base = await serve(routes);
    const statuses: Record<string, number> = {};
    for (const route of routes) {
      const response = await fetch(`${base}${route.path}`, { method: 'POST' });
      const { error } = (await response.json()) as { error: { code: string; message: string; hint: string } };
      expect(error.code).toBe(route.path.slice(1));
      expect(error.hint.length).toBeGreaterThan(0);
      statuses[error.code] = response.status;
    }
    expect(statuses).toEqual({ CONFLICT: 409, UNAUTHORIZED: 401, TOO_LARGE: 413, VALIDATION_FAILED: 422 });
  });

  it('answers anything else thrown as INTERNAL (500) without its message', async () => {
    const base = await serve([
      {
        methods: ['GET'],
        path: '/boom',
        handle: async () => {
          throw new Error('secret path /etc/shadow');
        },
      },
    ]);
    const response = await fetch(`${base}/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'INTERNAL', message: 'internal server error' } });
    expect(text).not.toContain('shadow');
  });

  it('refuses a route path that does not start with a slash', () => {
    expect(() => createRequestListener([{ ...echo, path: 'index.json' }])).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
