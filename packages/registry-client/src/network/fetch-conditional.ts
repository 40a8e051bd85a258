import { PluginError } from '@agentplug/models';
import { fetchBytes, type NetworkOptions } from './fetch-bytes';

/** What a conditional fetch found: the same bytes as before (304), or new ones with their ETag. */
export type ConditionalFetchResult =
  | { modified: false }
  | { modified: true; bytes: Buffer; etag: string | undefined };

/** Longest ETag kept and sent back: a hostile server's header is bounded like its body. */
const MAX_ETAG_LENGTH = 256;

/**
 * Fetches `url` with `If-None-Match: etag` when an ETag is known: a `304 Not Modified` answer costs
 * one small round trip and says the copy the caller holds is still current. Bounds as `fetchBytes`.
 * @throws PluginError NETWORK_ERROR, TIMEOUT, NOT_FOUND, UNAUTHORIZED, TOO_LARGE
 */
export async function fetchConditional(
  url: string,
  network: NetworkOptions,
  options: { maxBytes: number; etag: string | undefined },
): Promise<ConditionalFetchResult> {
  let etag: string | undefined;
  try {
    const bytes = await fetchBytes(url, network, {
      maxBytes: options.maxBytes,
      init: options.etag === undefined ? undefined : { headers: { 'if-none-match': options.etag } },
      onHeaders(headers) {
        const value = headers.get('etag') ?? undefined;
        etag = value !== undefined && value.length <= MAX_ETAG_LENGTH ? value : undefined;
      },
    });
    return { modified: true, bytes, etag };
  } catch (error) {
    if (
      options.etag !== undefined &&
      PluginError.is(error, 'NETWORK_ERROR') &&
      error.details.status === 304
    ) {
      return { modified: false };
    }
    throw error;
  }
}
