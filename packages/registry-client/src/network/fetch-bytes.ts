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
  /**
   * Most milliseconds one call may take from its first request to its last byte, retries included:
   * a server that trickles a byte just before each stall timeout still ends here.
   */
  totalTimeoutMs: number;
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
  /** Called with the headers of a successful response, before its body is read (an ETag). */
  onHeaders?: (headers: Headers) => void;
  init?: RequestInit;
}

/** When a call must have ended, and how it says so. */
export interface Deadline {
  /** `Date.now()` value past which the call fails. */
  at: number;
  totalTimeoutMs: number;
}

/** A deadline `totalTimeoutMs` from now. */
export function startDeadline(totalTimeoutMs: number): Deadline {
  return { at: Date.now() + totalTimeoutMs, totalTimeoutMs };
}

function deadlineExpired(url: string, deadline: Deadline, receivedBytes: number): PluginError {
  return new PluginError('TIMEOUT', `${url} did not finish within ${deadline.totalTimeoutMs} ms`, {
    details: { url, timeoutMs: deadline.totalTimeoutMs, receivedBytes },
  });
}

/**
 * Waits for `promise` at most `timeoutMs`, and never past the deadline: whichever comes first
 * decides the error.
 */
function waitBounded<T>(
  promise: Promise<T>,
  timing: {
    timeoutMs: number;
    deadline: Deadline;
    onTimeout: () => PluginError;
    onDeadline: () => PluginError;
  },
): Promise<T> {
  const remaining = Math.max(0, timing.deadline.at - Date.now());
  if (remaining < timing.timeoutMs) return within(promise, remaining, timing.onDeadline);
  return within(promise, timing.timeoutMs, timing.onTimeout);
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

/** What {@link sendRequest} and {@link readResponseBody} need to bound a request. */
export interface BoundedRequest {
  url: string;
  network: Pick<NetworkOptions, 'fetch' | 'requestTimeoutMs' | 'stallTimeoutMs'>;
  deadline: Deadline;
  controller: AbortController;
}

/**
 * Sends a request and waits for its headers within the response timeout and the deadline.
 * Redirects are refused.
 * @throws PluginError TIMEOUT, NETWORK_ERROR
 */
export async function sendRequest(request: BoundedRequest, init: RequestInit = {}): Promise<Response> {
  const { url, network, deadline, controller } = request;
  try {
    return await waitBounded(network.fetch(url, { ...init, signal: controller.signal, redirect: 'error' }), {
      timeoutMs: network.requestTimeoutMs,
      deadline,
      onTimeout: () => {
        controller.abort();
        return new PluginError('TIMEOUT', `${url} sent no response within ${network.requestTimeoutMs} ms`, {
          details: { url, timeoutMs: network.requestTimeoutMs },
        });
      },
      onDeadline: () => {
        controller.abort();
        return deadlineExpired(url, deadline, 0);
      },
    });
  } catch (error) {
    if (PluginError.is(error, 'TIMEOUT')) throw error;
    throw new PluginError('NETWORK_ERROR', `cannot reach ${url}`, { details: { url }, cause: error });
  }
}

/**
 * Reads a response body into memory: at most `maxBytes` (declared or sent), no chunk gap longer
 * than the stall timeout, and nothing past the deadline.
 * @throws PluginError TOO_LARGE, TIMEOUT, NETWORK_ERROR
 */
export async function readResponseBody(
  request: BoundedRequest,
  response: Response,
  options: Pick<FetchBytesOptions, 'maxBytes' | 'onChunk'>,
): Promise<Buffer> {
  const { url, network, deadline, controller } = request;
  const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
  if (Number.isFinite(declaredLength) && declaredLength > options.maxBytes) {
    controller.abort();
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
        result = await waitBounded(reader.read(), {
          timeoutMs: network.stallTimeoutMs,
          deadline,
          onTimeout: stalled,
          onDeadline: () => deadlineExpired(url, deadline, received),
        });
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

async function attempt(
  url: string,
  network: NetworkOptions,
  options: FetchBytesOptions,
  deadline: Deadline,
): Promise<Buffer> {
  const request: BoundedRequest = { url, network, deadline, controller: new AbortController() };
  const response = await sendRequest(request, options.init);
  if (!response.ok) {
    request.controller.abort();
    await response.body?.cancel().catch(() => undefined);
    throw describeStatus(response, url);
  }
  options.onHeaders?.(response.headers);
  return readResponseBody(request, response, options);
}

function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/**
 * Fetches a URL into memory with a byte cap, a response timeout, a stalled-body timeout and a total
 * deadline, retrying with exponential backoff on network errors, timeouts and 5xx, never on 4xx or
 * caps, and never past the deadline.
 * @throws PluginError NETWORK_ERROR, TIMEOUT, NOT_FOUND, UNAUTHORIZED, TOO_LARGE
 */
export async function fetchBytes(
  url: string,
  network: NetworkOptions,
  options: FetchBytesOptions,
): Promise<Buffer> {
  const deadline = startDeadline(network.totalTimeoutMs);
  for (let attemptNumber = 0; ; attemptNumber += 1) {
    options.onAttempt?.();
    try {
      return await attempt(url, network, options, deadline);
    } catch (error) {
      const status = PluginError.is(error) ? error.details.status : undefined;
      const serverError = typeof status === 'number' && status >= 500;
      const retryable = isRetryable(error) && (status === undefined || serverError);
      const delay = network.retryDelayMs * 2 ** attemptNumber;
      if (!retryable || attemptNumber >= network.retries || Date.now() + delay >= deadline.at) throw error;
      await sleep(delay);
    }
  }
}
