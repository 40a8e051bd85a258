import {
  findTerminalControlCharacter,
  isJsonObject,
  isPluginErrorCode,
  PluginError,
  type PluginValidationResult,
  PluginValidationResultSchema,
  parseUntrustedJson,
  RISK_LEVELS,
} from '@agentplug/models';
import { assertPluginId, assertVersion } from '../protocol/identifiers';
import { PLUGINS_PATH, type PublishArchiveResult } from '../protocol/marketplace-api';
import {
  type BoundedRequest,
  type FetchFunction,
  readResponseBody,
  sendRequest,
  startDeadline,
} from './fetch-bytes';

/** Options shared by the publisher calls. */
export interface PublisherOptions {
  /** Base URL of the reference server. */
  marketplaceUrl: string;
  /** The server's publish token (sent as `Authorization: Bearer`). */
  token: string;
  fetch?: FetchFunction;
  /** Most milliseconds for the whole request, answer included. Default 60,000. */
  timeoutMs?: number;
  /** Largest answer read. Default 4 MiB. */
  maxAnswerBytes?: number;
  /**
   * Refuse (INVALID_ARGUMENT) to send the token over plain `http://` to a host that is not this
   * machine, instead of warning. Default false.
   */
  requireTls?: boolean;
  /**
   * Told when the token is about to travel unencrypted (plain `http://` to a non-loopback host).
   * Default: `process.emitWarning`.
   */
  onInsecureTransport?: (message: string) => void;
}

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '[::1]', '::1']);

/** Whether a URL's host is this machine: `localhost`, 127.0.0.0/8 or `::1`. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127(?:\.\d{1,3}){3}$/.test(hostname);
}

function checkTransport(url: URL, options: PublisherOptions): void {
  if (url.protocol === 'https:' || isLoopbackHost(url.hostname)) return;
  const message = `the publish token is sent unencrypted over ${url.protocol}// to ${url.host}: anyone on the path can read it and publish as you; use https://`;
  if (options.requireTls === true || url.protocol !== 'http:') {
    throw new PluginError('INVALID_ARGUMENT', `refusing to publish: ${message}`, {
      details: { url: url.origin },
    });
  }
  if (options.onInsecureTransport !== undefined) options.onInsecureTransport(message);
  else process.emitWarning(message, { code: 'AGENTPLUG_INSECURE_TRANSPORT' });
}

/** Untrusted text from a server, made safe to print: no control characters, bounded length. */
function cleanText(value: unknown, fallback: string): string {
  if (typeof value !== 'string') return fallback;
  let text = value.length > 1000 ? `${value.slice(0, 1000)}...` : value;
  while (findTerminalControlCharacter(text) !== -1) {
    const index = findTerminalControlCharacter(text);
    text = `${text.slice(0, index)}\\u${text.charCodeAt(index).toString(16).padStart(4, '0')}${text.slice(index + 1)}`;
  }
  return text;
}

function malformedAnswer(url: URL, problem: string): PluginError {
  return new PluginError(
    'NETWORK_ERROR',
    `${url} answered something that is not a marketplace answer: ${problem}`,
    {
      details: { url: url.toString() },
    },
  );
}

function readValidation(value: unknown): PluginValidationResult | undefined {
  const parsed = PluginValidationResultSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

async function send(url: URL, init: RequestInit, options: PublisherOptions): Promise<unknown> {
  checkTransport(url, options);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const request: BoundedRequest = {
    url: url.toString(),
    network: {
      fetch: options.fetch ?? ((input, requestInit) => fetch(input, requestInit)),
      requestTimeoutMs: timeoutMs,
      stallTimeoutMs: timeoutMs,
    },
    deadline: startDeadline(timeoutMs),
    controller: new AbortController(),
  };
  const response = await sendRequest(request, {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.token}` },
  });
  const maxBytes = options.maxAnswerBytes ?? 4 * 1024 * 1024;
  const bytes = await readResponseBody(request, response, { maxBytes }).catch((error: unknown) => {
    if (!PluginError.is(error, 'TOO_LARGE')) throw error;
    throw new PluginError(
      'NETWORK_ERROR',
      `${url} answered more than ${maxBytes} bytes: no marketplace answers that`,
      {
        details: { url: url.toString(), status: response.status, maxBytes },
        cause: error,
      },
    );
  });
  let body: unknown;
  try {
    body = parseUntrustedJson(bytes, { code: 'NETWORK_ERROR', what: `the answer of ${url}` });
  } catch (error) {
    if (response.ok) throw error;
    body = undefined;
  }
  if (!response.ok) {
    const answer = isJsonObject(body) && isJsonObject(body.error) ? body.error : undefined;
    const code = isPluginErrorCode(answer?.code)
      ? answer.code
      : response.status === 401 || response.status === 403
        ? 'UNAUTHORIZED'
        : 'NETWORK_ERROR';
    const details: Record<string, unknown> = { status: response.status };
    const answerDetails = isJsonObject(answer?.details) ? answer.details : undefined;
    const validation = readValidation(answerDetails?.validation);
    if (validation !== undefined) details.validation = validation;
    throw new PluginError(code, cleanText(answer?.message, `${url} answered HTTP ${response.status}`), {
      details,
    });
  }
  return body;
}

function readPublishAnswer(url: URL, body: unknown): PublishArchiveResult {
  if (!isJsonObject(body)) throw malformedAnswer(url, 'not a JSON object');
  const read = <T>(check: () => T): T => {
    try {
      return check();
    } catch (error) {
      throw malformedAnswer(url, PluginError.is(error) ? error.message : String(error));
    }
  };
  const { sha256, size, security_score: securityScore, risk_level: riskLevel } = body;
  if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) throw malformedAnswer(url, 'no sha256');
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw malformedAnswer(url, 'no size');
  if (typeof securityScore !== 'number' || !(securityScore >= 0 && securityScore <= 100)) {
    throw malformedAnswer(url, 'no security_score');
  }
  if (typeof riskLevel !== 'string' || !(RISK_LEVELS as readonly string[]).includes(riskLevel)) {
    throw malformedAnswer(url, 'no risk_level');
  }
  const result: PublishArchiveResult = {
    plugin_id: read(() => assertPluginId(body.plugin_id, 'NETWORK_ERROR', 'plugin_id')),
    version: read(() => assertVersion(body.version, 'NETWORK_ERROR', 'version')),
    sha256,
    size,
    security_score: securityScore,
    risk_level: riskLevel,
  };
  const validation = readValidation(body.validation);
  if (validation !== undefined) result.validation = validation;
  return result;
}

function baseUrlOf(marketplaceUrl: string): string {
  return marketplaceUrl.endsWith('/') ? marketplaceUrl : `${marketplaceUrl}/`;
}

/**
 * Publishes a `.tgz` to a reference marketplace server (`POST api/v1/plugins`). The server's error
 * code is kept, so a refused upload throws e.g. VALIDATION_FAILED with the report in `details.validation`.
 * The answer is read with a size cap and a deadline and checked before it is returned. Over plain
 * `http://` to a host other than this machine the token travels in clear: that warns, or refuses with `requireTls`.
 * @throws PluginError UNAUTHORIZED, VALIDATION_FAILED, ARCHIVE_UNSAFE, MANIFEST_INVALID, CONFLICT (409: version exists), TOO_LARGE, NETWORK_ERROR (also a malformed answer), TIMEOUT, INVALID_ARGUMENT (requireTls)
 */
export async function publishArchive(
  archive: Uint8Array,
  options: PublisherOptions,
): Promise<PublishArchiveResult> {
  const url = new URL(PLUGINS_PATH, baseUrlOf(options.marketplaceUrl));
  const body = await send(
    url,
    { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive },
    options,
  );
  return readPublishAnswer(url, body);
}

/**
 * Yanks a published version (or restores it with `yanked: false`) on a reference server.
 * @throws PluginError INVALID_ARGUMENT (not an id or a version), UNAUTHORIZED, NOT_FOUND, NETWORK_ERROR, TIMEOUT
 */
export async function yankVersion(
  pluginId: string,
  version: string,
  options: PublisherOptions & { yanked?: boolean },
): Promise<void> {
  assertPluginId(pluginId, 'INVALID_ARGUMENT', 'the plugin id');
  assertVersion(version, 'INVALID_ARGUMENT', 'the version');
  const action = options.yanked === false ? 'unyank' : 'yank';
  const url = new URL(
    `${PLUGINS_PATH}/${encodeURIComponent(pluginId)}/versions/${encodeURIComponent(version)}/${action}`,
    baseUrlOf(options.marketplaceUrl),
  );
  await send(url, { method: 'POST' }, options);
}
