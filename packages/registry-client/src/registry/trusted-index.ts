import { parseUntrustedJson } from '@agentplug/models';
import { fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import { INDEX_PATH, type SignedIndexBody } from '../protocol/marketplace-index';
import { verifyIndexDocument } from '../protocol/sign-index';
import type { TrustedKey } from '../protocol/signing-keys';
import { checkRollback } from './index-state';

/** What a {@link TrustedIndex} needs. */
export interface TrustedIndexOptions {
  trustedKeys: readonly TrustedKey[];
  network: NetworkOptions;
  /** Where the last-seen index versions are recorded. */
  cacheDirectory: string;
  /** How long a verified index is reused. */
  maxAgeMs: number;
  /** Largest index accepted, in bytes. */
  maxBytes: number;
  now: () => Date;
}

/**
 * The marketplace's signed index as this client last verified it: fetched, checked (trusted
 * signature, shape, protocol, expiry, no rollback) and reused for `maxAgeMs`.
 */
export class TrustedIndex {
  private cached:
    | { marketplaceUrl: string; body: SignedIndexBody; keyId: string; fetchedAt: number }
    | undefined;

  constructor(private readonly options: TrustedIndexOptions) {}

  /**
   * The verified index body of `marketplaceUrl`, fetched again when `force` is set or the copy is stale.
   * @throws PluginError SIGNATURE_INVALID (also: not JSON, nested too deep), INDEX_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED, INCOMPATIBLE, NETWORK_ERROR, TIMEOUT, TOO_LARGE
   */
  async get(marketplaceUrl: string, options: { force?: boolean } = {}): Promise<SignedIndexBody> {
    const cached = this.cached;
    if (
      options.force !== true &&
      cached !== undefined &&
      cached.marketplaceUrl === marketplaceUrl &&
      Date.now() - cached.fetchedAt < this.options.maxAgeMs &&
      Date.parse(cached.body.expires) > this.options.now().getTime()
    ) {
      return cached.body;
    }
    const bytes = await fetchBytes(new URL(INDEX_PATH, marketplaceUrl).toString(), this.options.network, {
      maxBytes: this.options.maxBytes,
    });
    // Null-prototype objects, bounded depth: what the signature covers is exactly what is read.
    const document = parseUntrustedJson(bytes, {
      code: 'SIGNATURE_INVALID',
      what: 'the marketplace index',
      maxBytes: this.options.maxBytes,
    });
    const verified = verifyIndexDocument(document, {
      trustedKeys: this.options.trustedKeys,
      now: this.options.now(),
    });
    await checkRollback(this.options.cacheDirectory, marketplaceUrl, verified);
    this.cached = { marketplaceUrl, body: verified.body, keyId: verified.keyId, fetchedAt: Date.now() };
    return verified.body;
  }

  /** Id of the trusted key that signed the index this object last verified. */
  get keyId(): string | undefined {
    return this.cached?.keyId;
  }

  /** Forgets the verified copy. */
  clear(): void {
    this.cached = undefined;
  }
}
