import { createHash } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { canonicalizeJson } from './canonicalize-json';
import { checkIndexBody } from './check-index-body';
import {
  INDEX_TYPE,
  MARKETPLACE_PROTOCOL_VERSION,
  type SignedIndex,
  type SignedIndexBody,
} from './marketplace-index';
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

/** A verified index body, the sha256 (hex) of its canonical serialisation, and the trusted key that signed it. */
export interface VerifiedIndex {
  body: SignedIndexBody;
  sha256: string;
  /** Id of the first trusted key whose signature verified. */
  keyId: string;
}

/**
 * Serialises a signed index document canonically (sorted keys), as servers should write it: a client
 * then parses objects whose keys are already in order, which makes its canonicalisation cheap.
 */
export function serializeSignedIndex(document: SignedIndex): string {
  return canonicalizeJson(document);
}

/**
 * Checks a downloaded index document: a valid signature by at least one trusted key (threshold
 * one) over the canonical bytes of `signed`, then its shape, the protocol version, and expiry.
 * Rollback is the caller's check (it needs the last-seen version).
 * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INDEX_EXPIRED, INCOMPATIBLE
 */
export function verifyIndex(document: unknown, options: VerifyIndexOptions): SignedIndexBody {
  return verifyIndexDocument(document, options).body;
}

/** Most signatures looked at: each costs a verification, and a document needs one good one. */
const MAX_SIGNATURES = 16;

/**
 * {@link verifyIndex}, also returning the sha256 of the signed body's canonical bytes (what a client
 * stores to tell two bodies of one version apart). Read the document with `parseUntrustedJson`
 * first, so its objects have no prototype and its depth is bounded.
 * @throws PluginError SIGNATURE_INVALID, INDEX_INVALID, INDEX_EXPIRED, INCOMPATIBLE
 */
export function verifyIndexDocument(document: unknown, options: VerifyIndexOptions): VerifiedIndex {
  const keys: ResolvedPublicKey[] = options.trustedKeys.map((key) => resolvePublicKey(key));
  if (keys.length === 0) {
    throw new PluginError('SIGNATURE_INVALID', 'no trusted keys are configured, so no index can be trusted');
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new PluginError('SIGNATURE_INVALID', 'the index is not a signed document');
  }
  const signed = Object.hasOwn(document, 'signed') ? (document as { signed: unknown }).signed : undefined;
  const signatures = Object.hasOwn(document, 'signatures')
    ? (document as { signatures: unknown }).signatures
    : undefined;
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed) || !Array.isArray(signatures)) {
    throw new PluginError('SIGNATURE_INVALID', 'the index has no "signed" body or no "signatures"');
  }
  if (signatures.length > MAX_SIGNATURES) {
    throw new PluginError(
      'SIGNATURE_INVALID',
      `the index carries ${signatures.length} signatures; at most ${MAX_SIGNATURES} are read`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(canonicalizeJson(signed), 'utf8');
  } catch (error) {
    throw new PluginError('SIGNATURE_INVALID', 'the signed body cannot be canonicalised', { cause: error });
  }
  let trustedKeyId: string | undefined;
  for (const signature of signatures as unknown[]) {
    if (typeof signature !== 'object' || signature === null) continue;
    const { keyid, sig } = signature as { keyid?: unknown; sig?: unknown };
    if (typeof keyid !== 'string' || typeof sig !== 'string') continue;
    const key = keys.find((candidate) => candidate.keyId === keyid);
    if (key !== undefined && verifyBytes(bytes, sig, key)) {
      trustedKeyId = key.keyId;
      break;
    }
  }
  if (trustedKeyId === undefined) {
    throw new PluginError('SIGNATURE_INVALID', 'the index is not signed by any trusted key', {
      details: {
        keyIds: signatures.map((signature: unknown) =>
          typeof signature === 'object' && signature !== null
            ? String((signature as { keyid?: unknown }).keyid)
            : '',
        ),
        trustedKeyIds: keys.map((key) => key.keyId),
      },
    });
  }
  if (!Object.hasOwn(signed, '_type') || (signed as { _type?: unknown })._type !== INDEX_TYPE) {
    throw new PluginError('SIGNATURE_INVALID', `the signed document is not an ${INDEX_TYPE}`);
  }
  const protocolVersion = Object.hasOwn(signed, 'protocol_version')
    ? (signed as { protocol_version?: unknown }).protocol_version
    : undefined;
  if (protocolVersion !== MARKETPLACE_PROTOCOL_VERSION) {
    throw new PluginError(
      'INCOMPATIBLE',
      `the index speaks protocol ${String(protocolVersion)}; this client speaks ${MARKETPLACE_PROTOCOL_VERSION}`,
      { details: { protocolVersion: String(protocolVersion) } },
    );
  }
  const parsed = checkIndexBody(signed);
  if (!parsed.success) {
    throw new PluginError('INDEX_INVALID', `the signed index breaks protocol version 1: ${parsed.message}`);
  }
  const body = parsed.data;
  const expires = Date.parse(body.expires);
  const now = options.now ?? new Date();
  if (!Number.isFinite(expires) || expires <= now.getTime()) {
    throw new PluginError('INDEX_EXPIRED', `the index expired at ${body.expires}`, {
      details: { expires: body.expires, version: body.version },
    });
  }
  return { body, sha256: createHash('sha256').update(bytes).digest('hex'), keyId: trustedKeyId };
}
