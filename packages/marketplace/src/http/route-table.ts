import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PluginError } from '@agentplug/models';
import { sendError } from './http-helpers';
import type { RequestRecord } from './metrics';

/** The HTTP methods a route may answer. */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a route handler gets: the exchange, the parsed URL and the path's named segments, decoded. */
export interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  method: HttpMethod;
  url: URL;
  /** `:name` segments of the route's path, percent-decoded (a null-prototype object). */
  params: Readonly<Record<string, string>>;
  /** The request's id: the client's `x-request-id` when it is a plain token, else a new one. */
  requestId: string;
}

/** A finished request with what logs need besides metrics. */
export interface ObservedRequest extends RequestRecord {
  requestId: string;
  path: string;
  address: string;
}

/** Options of {@link createRequestListener}. */
export interface RequestListenerOptions {
  /** Runs before routing (rate limits, shutdown): throwing answers the request with that error. */
  admit?(request: IncomingMessage): void;
  /** Told about every answered request (metrics, logs). */
  observe?(record: ObservedRequest): void;
}

function requestIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,64}$/.test(given) ? given : randomUUID();
}

/**
 * One entry of a route table: the methods and path it answers and its handler. A path is literal
 * segments and `:name` segments, each matching one whole segment: `/api/v1/plugins/:pluginId`.
 */
export interface Route {
  methods: readonly HttpMethod[];
  path: string;
  handle(context: RouteContext): Promise<void> | void;
}

type PathSegment = { literal: string } | { param: string };

interface CompiledRoute {
  route: Route;
  segments: readonly PathSegment[];
}

function compile(route: Route): CompiledRoute {
  if (!route.path.startsWith('/'))
    throw new PluginError('INVALID_ARGUMENT', `route path ${route.path} must start with /`);
  const segments = route.path
    .slice(1)
    .split('/')
    .map(
      (segment): PathSegment =>
        segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment },
    );
  return { route, segments };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `"${segment}" is not a valid percent-encoded path segment`, {
      cause: error,
    });
  }
}

function match(compiled: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  if (compiled.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = Object.create(null);
  for (const [index, segment] of compiled.segments.entries()) {
    const part = parts[index] ?? '';
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      params[segment.param] = decodeSegment(part);
    }
  }
  return params;
}

/**
 * Turns a route table into a Node request listener: the first route whose path and method match
 * handles the request; no match is NOT_FOUND; a thrown error is answered with its code and the
 * status the error table gives it. Later routes (a web catalog, another protocol version) are
 * entries added to the table.
 * @example
 * createServer(createRequestListener([{ methods: ['GET'], path: '/health', handle: ({ response }) => sendJson(response, 200, { ok: true }) }]));
 */
export function createRequestListener(
  routes: readonly Route[],
  options: RequestListenerOptions = {},
): (request: IncomingMessage, response: ServerResponse) => void {
  const compiled = routes.map(compile);
  const dispatch = async (
    request: IncomingMessage,
    response: ServerResponse,
    state: { route: string; requestId: string },
  ): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://marketplace.invalid');
    const method = (request.method ?? 'GET') as HttpMethod;
    options.admit?.(request);
    const parts = url.pathname.slice(1).split('/');
    for (const entry of compiled) {
      if (!entry.route.methods.includes(method)) continue;
      const params = match(entry, parts);
      if (params === undefined) continue;
      state.route = entry.route.path;
      await entry.route.handle({ request, response, method, url, params, requestId: state.requestId });
      return;
    }
    throw new PluginError('NOT_FOUND', `no route for ${method} ${url.pathname}`);
  };
  return (request, response) => {
    const started = performance.now();
    const state = {
      route: 'unmatched',
      requestId: requestIdOf(request),
      code: undefined as string | undefined,
    };
    // Read now: once the exchange is over the socket may be gone.
    const address = request.socket?.remoteAddress ?? 'unknown';
    response.setHeader('x-request-id', state.requestId);
    if (options.observe !== undefined) {
      const observe = options.observe;
      response.once('close', () => {
        let path = '';
        try {
          path = new URL(request.url ?? '/', 'http://marketplace.invalid').pathname.slice(0, 512);
        } catch {
          path = 'unparsable';
        }
        observe({
          method: request.method ?? 'GET',
          route: state.route,
          status: response.statusCode,
          durationMs: performance.now() - started,
          ...(state.code === undefined ? {} : { code: state.code }),
          requestId: state.requestId,
          path,
          address,
        });
      });
    }
    dispatch(request, response, state).catch((error: unknown) => {
      state.code = PluginError.is(error) ? error.code : 'INTERNAL';
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // Drain what the client still sends so it reads our answer instead of a reset.
      request.resume();
      sendError(response, error);
    });
  };
}
