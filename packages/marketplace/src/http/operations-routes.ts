import { sendJson } from './http-helpers';
import type { MarketplaceMetrics } from './metrics';
import type { Route } from './route-table';

/** What the operations routes read. */
export interface OperationsRoutesOptions {
  metrics: MarketplaceMetrics;
  /** Current values: uploads in progress, requests in flight, the index version served. */
  gauges(): Readonly<Record<string, number>>;
  /** Resolves when the instance can serve (its store answers); throws UNAVAILABLE otherwise. */
  ready(): Promise<void>;
}

/**
 * `/healthz` (the process answers), `/readyz` (the store answers and the server is not shutting
 * down: 200, else UNAVAILABLE 503) and `/metrics` (Prometheus text format).
 */
export function createOperationsRoutes(options: OperationsRoutesOptions): Route[] {
  return [
    {
      methods: ['GET', 'HEAD'],
      path: '/healthz',
      handle: ({ response }) => sendJson(response, 200, { status: 'ok' }),
    },
    {
      methods: ['GET', 'HEAD'],
      path: '/readyz',
      async handle({ response }) {
        await options.ready();
        sendJson(response, 200, { status: 'ready' });
      },
    },
    {
      methods: ['GET'],
      path: '/metrics',
      handle({ response }) {
        const text = options.metrics.render(options.gauges());
        response.writeHead(200, {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
        response.end(text);
      },
    },
  ];
}
