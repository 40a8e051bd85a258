import { PluginError } from '@agentplug/models';
import { within } from './within-deadline';

/** A fetch implementation (the global one, or a test double with the same shape). */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

/** Network behaviour of the client. */
export interface NetworkOptions {
  fetch: FetchFunction;
  /** Most milliseconds from sending a request to its response headers (connect included). */
  requestTimeoutMs: number;
  /** Most milliseconds between two chunks of a response body. */
  stallTimeoutMs: number;
  /** Retries after the first attempt, on network errors, timeouts and 5xx only. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  retryDelayMs: number;
}

/** Options for one {@link fetchBytes} call. */
export interface FetchBytesOptions {
  /** The body may not be longer: reading stops and TOO_LARGE is thrown past it. */
  maxBytes: number;
  /** Called with each chunk as it arrives (hashing, progress). Reset on a retry through `onAttempt`. */
  onChunk?: (chunk: Uint8Array, receivedBytes: number, totalBytes: number | undefined) => void;
  /** Called before each attempt, so per-attempt state (a hash) can start over. */
  onAttempt?: () => void;
  init?: RequestInit;
}

function isRetryable(error: unknown): boolean {
  return PluginError.is(error, 'NETWORK_ERROR') || PluginError.is(error, 'TIMEOUT');
}

function describeStatus(response: Response, url: string): PluginError {
  if (response.status === 404 || response.status === 410) {
    return new PluginError(
      'NOT_FOUND',
      `${url} does not exist on the marketplace (HTTP ${response.status})`,
      {
        details: { url, status: response.status },
      },
    );
  }
  if (response.status === 401 || response.status === 403) {
    return new PluginError('UNAUTHORIZED', `${url} refused the request (HTTP ${response.status})`, {
      details: { url, status: response.status },
    });
  }
  return new PluginError('NETWORK_ERROR', `${url} answered HTTP ${response.status}`, {
    details: { url, status: response.status },
  });
}

async function attempt(url: string, network: NetworkOptions, options: FetchBytesOptions): Promise<Buffer> {
  const controller = new AbortController();
  const init: RequestInit = { ...options.init, signal: controller.signal, redirect: 'error' };
  let response: Response;
  try {
    response = await within(network.fetch(url, init), network.requestTimeoutMs, () => {
      controller.abort();
      return new PluginError('TIMEOUT', `${url} sent no response within ${network.requestTimeoutMs} ms`, {
        details: { url, timeoutMs: network.requestTimeoutMs },
      });
    });
  } catch (error) {
    if (PluginError.is(error, 'TIMEOUT')) throw error;
    throw new PluginError('NETWORK_ERROR', `cannot reach ${url}`, { details: { url }, cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw describeStatus(response, url);
  }
  const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new PluginError(
      'TOO_LARGE',
      `${url} is ${declaredLength} bytes; at most ${options.maxBytes} are accepted`,
      {
        details: { url, declaredLength, maxBytes: options.maxBytes },
      },
    );
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let received = 0;
  const total = Number.isFinite(declaredLength) ? declaredLength : undefined;
  const stalled = (): PluginError =>
    new PluginError('TIMEOUT', `${url} stopped sending for ${network.stallTimeoutMs} ms`, {
      details: { url, timeoutMs: network.stallTimeoutMs, receivedBytes: received },
    });
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await within(reader.read(), network.stallTimeoutMs, stalled);
      } catch (error) {
        if (PluginError.is(error, 'TIMEOUT')) throw error;
        throw new PluginError('NETWORK_ERROR', `the download of ${url} broke off`, {
          details: { url },
          cause: error,
        });
      }
      if (result.done) break;
      received += result.value.length;
      if (received > options.maxBytes) {
        throw new PluginError('TOO_LARGE', `${url} sent more than ${options.maxBytes} bytes`, {
          details: { url, maxBytes: options.maxBytes },
        });
      }
      chunks.push(result.value);
      options.onChunk?.(result.value, received, total);
    }
  } catch (error) {
    controller.abort();
    // Not awaited: cancelling a stream whose read is stuck may itself never settle.
    reader.cancel().catch(() => undefined);
    throw error;
  }
  return Buffer.concat(chunks, received);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Fetches a URL into memory with a byte cap, a response timeout and a stalled-body timeout,
 * retrying with exponential backoff on network errors, timeouts and 5xx, never on 4xx or caps.
 * @throws PluginError NETWORK_ERROR, TIMEOUT, NOT_FOUND, UNAUTHORIZED, TOO_LARGE
 */
export async function fetchBytes(
  url: string,
  network: NetworkOptions,
  options: FetchBytesOptions,
): Promise<Buffer> {
  for (let attemptNumber = 0; ; attemptNumber += 1) {
    options.onAttempt?.();
    try {
      return await attempt(url, network, options);
    } catch (error) {
      const status = PluginError.is(error) ? error.details.status : undefined;
      const serverError = typeof status === 'number' && status >= 500;
      const retryable = isRetryable(error) && (status === undefined || serverError);
      if (!retryable || attemptNumber >= network.retries) throw error;
      await sleep(network.retryDelayMs * 2 ** attemptNumber);
    }
  }
}
