import { isPluginErrorCode, PluginError } from '@agentplug/models';
import { PLUGINS_PATH, type PublishArchiveResult } from '../protocol/marketplace-api';
import type { FetchFunction } from './fetch-bytes';
import { within } from './within-deadline';

/** Options shared by the publisher calls. */
export interface PublisherOptions {
  /** Base URL of the reference server. */
  marketplaceUrl: string;
  /** The server's publish token (sent as `Authorization: Bearer`). */
  token: string;
  fetch?: FetchFunction;
  /** Most milliseconds for the whole request. Default 60,000. */
  timeoutMs?: number;
}

async function send(url: URL, init: RequestInit, options: PublisherOptions): Promise<unknown> {
  const fetchFunction = options.fetch ?? ((input, requestInit) => fetch(input, requestInit));
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const exchange = async (): Promise<[Response, string]> => {
    const answer = await fetchFunction(url.toString(), {
      ...init,
      signal: controller.signal,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${options.token}` },
    });
    return [answer, await answer.text()];
  };
  let response: Response;
  let text: string;
  try {
    [response, text] = await within(exchange(), timeoutMs, () => {
      controller.abort();
      return new PluginError('TIMEOUT', `${url} did not answer within ${timeoutMs} ms`);
    });
  } catch (error) {
    if (PluginError.is(error, 'TIMEOUT')) throw error;
    throw new PluginError('NETWORK_ERROR', `cannot reach ${url}`, { cause: error });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    const code = isPluginErrorCode(error?.code)
      ? error.code
      : response.status === 401
        ? 'UNAUTHORIZED'
        : 'NETWORK_ERROR';
    throw new PluginError(
      code,
      typeof error?.message === 'string' ? error.message : `${url} answered HTTP ${response.status}`,
      {
        details: {
          status: response.status,
          ...((error?.details as Record<string, unknown> | undefined) ?? {}),
        },
      },
    );
  }
  return body;
}

/**
 * Publishes a `.tgz` to a reference marketplace server (`POST api/v1/plugins`). The server's error
 * code is kept, so a refused upload throws e.g. VALIDATION_FAILED with the report in `details.validation`.
 * @throws PluginError UNAUTHORIZED, VALIDATION_FAILED, ARCHIVE_UNSAFE, MANIFEST_INVALID, INVALID_ARGUMENT (409: version exists), TOO_LARGE, NETWORK_ERROR, TIMEOUT
 */
export async function publishArchive(
  archive: Uint8Array,
  options: PublisherOptions,
): Promise<PublishArchiveResult> {
  const url = new URL(
    PLUGINS_PATH,
    options.marketplaceUrl.endsWith('/') ? options.marketplaceUrl : `${options.marketplaceUrl}/`,
  );
  return (await send(
    url,
    { method: 'POST', headers: { 'content-type': 'application/gzip' }, body: archive },
    options,
  )) as PublishArchiveResult;
}

/**
 * Yanks a published version (or restores it with `yanked: false`) on a reference server.
 * @throws PluginError UNAUTHORIZED, NOT_FOUND, NETWORK_ERROR, TIMEOUT
 */
export async function yankVersion(
  pluginId: string,
  version: string,
  options: PublisherOptions & { yanked?: boolean },
): Promise<void> {
  const base = options.marketplaceUrl.endsWith('/') ? options.marketplaceUrl : `${options.marketplaceUrl}/`;
  const action = options.yanked === false ? 'unyank' : 'yank';
  const url = new URL(
    `${PLUGINS_PATH}/${encodeURIComponent(pluginId)}/versions/${encodeURIComponent(version)}/${action}`,
    base,
  );
  await send(url, { method: 'POST' }, options);
}
