import type { IncomingMessage, ServerResponse } from 'node:http';
import { httpStatusForCode, PluginError, parseUntrustedJson } from '@agentplug/models';

/** Answers with a JSON body, never cached. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(text);
}

/**
 * Answers with `{ error: { code, message, hint, details } }` and the status the error table gives
 * the code (anything that is not a PluginError is an INTERNAL 500 that shows no detail), with
 * `Retry-After` when the details carry `retryAfterSeconds`.
 */
export function sendError(response: ServerResponse, error: unknown): void {
  const pluginError = PluginError.is(error)
    ? error
    : new PluginError('INTERNAL', 'internal server error', { cause: error });
  // RATE_LIMITED and UNAVAILABLE say when to come back, in the header clients and proxies read.
  const retryAfter = (pluginError.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  sendJson(
    response,
    httpStatusForCode(pluginError.code),
    { error: pluginError.toJSON() },
    typeof retryAfter === 'number' ? { 'retry-after': String(Math.ceil(retryAfter)) } : {},
  );
}

/**
 * Reads a request body of at most `maxBytes`, refusing a larger declared length before reading.
 * @throws PluginError TOO_LARGE
 */
export async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PluginError('TOO_LARGE', `the upload is ${declared} bytes; at most ${maxBytes} are accepted`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new PluginError('TOO_LARGE', `the upload exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

/**
 * Reads a small JSON request body into plain data with null-prototype objects (a request is hostile
 * input: `__proto__` stays an ordinary key), its size, UTF-8 and nesting checked.
 * @throws PluginError TOO_LARGE, INVALID_ARGUMENT (not JSON, not UTF-8 or nested too deep; `expected` says what to send)
 */
export async function readJsonBody(
  request: IncomingMessage,
  options: { maxBytes: number; expected: string },
): Promise<unknown> {
  const body = await readRequestBody(request, options.maxBytes);
  try {
    return parseUntrustedJson(body, {
      code: 'INVALID_ARGUMENT',
      what: 'the request body',
      maxBytes: options.maxBytes,
      maxDepth: 16,
    });
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', `send JSON ${options.expected}`, { cause: error });
  }
}
