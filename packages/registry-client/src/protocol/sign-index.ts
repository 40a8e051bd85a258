import { createHash } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { canonicalizeJson } from './canonicalize-json';
import { checkIndexBody } from './check-index-body';
import { INDEX_TYPE, type SignedIndex, type SignedIndexBody } from './marketplace-index';
import {
  type ResolvedPublicKey,
  resolvePrivateKey,
  resolvePublicKey,
  type SigningKey,
  signBytes,
  type TrustedKey,
  verifyBytes,
} from './signing-keys';

/** Signs an index body with one or more keys: ed25519 over the UTF-8 of `canonicalizeJson(body)`. */
export function signIndex(body: SignedIndexBody, signingKeys: SigningKey | SigningKey[]): SignedIndex {
  const bytes = Buffer.from(canonicalizeJson(body), 'utf8');
  const keys = Array.isArray(signingKeys) ? signingKeys : [signingKeys];
  return {
    signed: body,
    signatures: keys.map((signingKey) => {
      const resolved = resolvePrivateKey(signingKey);
      return { keyid: resolved.keyId, sig: signBytes(bytes, resolved) };
    }),
  };
}

/** Options for {@link verifyIndex}. */
export interface VerifyIndexOptions {
  trustedKeys: readonly TrustedKey[];
  /** The time to check expiry against. Default: now. */
  now?: Date;
}

/** A verified index body and the sha256 (hex) of its canonical serialisation. */
export interface VerifiedIndex {
  body: SignedIndexBody;
  sha256: string;
}

/**
 * Serialises a signed index document canonically (sorted keys), as servers should write it: a client
 * then parses objects whose keys are already in order, which makes its canonicalisation cheap.
 */
export function serializeSignedIndex(document: SignedIndex): string {
  return canonicalizeJson(document);
}

/**
 * Checks a downloaded index document: shape, a valid signature by at least one trusted key (threshold
 * one), the protocol version, and expiry. Rollback is the caller's check (it needs the last-seen version).
 * @throws PluginError SIGNATURE_INVALID, INDEX_EXPIRED, INCOMPATIBLE
 */
export function verifyIndex(document: unknown, options: VerifyIndexOptions): SignedIndexBody {
  return verifyIndexDocument(document, options).body;
}

/**
 * {@link verifyIndex}, also returning the sha256 of the signed body's canonical bytes (what a client
 * stores to tell two bodies of one version apart).
 * @throws PluginError SIGNATURE_INVALID, INDEX_EXPIRED, INCOMPATIBLE
 */
export function verifyIndexDocument(document: unknown, options: VerifyIndexOptions): VerifiedIndex {
  const keys: ResolvedPublicKey[] = options.trustedKeys.map((key) => resolvePublicKey(key));
  if (keys.length === 0) {
    throw new PluginError('SIGNATURE_INVALID', 'no trusted keys are configured, so no index can be trusted');
  }
  if (typeof document !== 'object' || document === null) {
    throw new PluginError('SIGNATURE_INVALID', 'the index is not a signed document');
  }
  const { signed, signatures } = document as { signed?: unknown; signatures?: unknown };
  if (typeof signed !== 'object' || signed === null || !Array.isArray(signatures)) {
    throw new PluginError('SIGNATURE_INVALID', 'the index has no "signed" body or no "signatures"');
  }
  const bytes = Buffer.from(canonicalizeJson(signed), 'utf8');
  const trusted = signatures.some((signature: unknown) => {
    if (typeof signature !== 'object' || signature === null) return false;
    const { keyid, sig } = signature as { keyid?: unknown; sig?: unknown };
    if (typeof keyid !== 'string' || typeof sig !== 'string') return false;
    const key = keys.find((candidate) => candidate.keyId === keyid);
    return key !== undefined && verifyBytes(bytes, sig, key);
  });
  if (!trusted) {
    throw new PluginError('SIGNATURE_INVALID', 'the index is not signed by any trusted key', {
      details: {
        keyIds: signatures.map((signature: { keyid?: unknown }) => signature?.keyid),
        trustedKeyIds: keys.map((key) => key.keyId),
      },
    });
  }
  if ((signed as { _type?: unknown })._type !== INDEX_TYPE) {
    throw new PluginError('SIGNATURE_INVALID', `the signed document is not an ${INDEX_TYPE}`);
  }
  const parsed = checkIndexBody(signed);
  if (!parsed.success) {
    throw new PluginError(
      'INCOMPATIBLE',
      `the signed index does not match protocol version 1: ${parsed.message}`,
    );
  }
  const body = parsed.data;
  if (body.protocol_version !== 1) {
    throw new PluginError(
      'INCOMPATIBLE',
      `the index speaks protocol ${body.protocol_version}; this client speaks 1`,
    );
  }
  const expires = Date.parse(body.expires);
  const now = options.now ?? new Date();
  if (!Number.isFinite(expires) || expires <= now.getTime()) {
    throw new PluginError('INDEX_EXPIRED', `the index expired at ${body.expires}`, {
      details: { expires: body.expires, version: body.version },
    });
  }
  return { body, sha256: createHash('sha256').update(bytes).digest('hex') };
}
