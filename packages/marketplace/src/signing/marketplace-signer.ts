import { createPublicKey, KeyObject, sign, verify } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import {
  canonicalizeJson,
  resolvePrivateKey,
  resolvePublicKey,
  type SigningKey,
} from '@agentplug/registry-client/protocol';

/**
 * What signs a marketplace's metadata (each online role, and a first root): a key in this process ({@link createKeySigner}), or something
 * that holds the key elsewhere (a command talking to an HSM, a KMS or another machine:
 * {@link createCommandSigner}). Signatures are ed25519 over the bytes given, base64.
 */
export interface MarketplaceSigner {
  /** sha256 (hex) of the SPKI DER public key: what the signatures name. */
  readonly keyId: string;
  /** base64 SPKI DER public key: what clients put in `trustedKeys`. */
  readonly publicKey: string;
  /** Where the key is, for messages (`key in process`, `command "..."`). */
  readonly description: string;
  /**
   * Signs bytes.
   * @throws PluginError UNAVAILABLE (the signer failed or did not answer in time), SIGNATURE_INVALID (its answer does not verify)
   */
  sign(bytes: Uint8Array): Promise<string>;
}

/** True for a {@link MarketplaceSigner} (as opposed to a key). */
export function isMarketplaceSigner(value: SigningKey | MarketplaceSigner): value is MarketplaceSigner {
  return (
    typeof value === 'object' &&
    !(value instanceof KeyObject) &&
    typeof (value as { sign?: unknown }).sign === 'function'
  );
}

/**
 * A signer over a key held in this process (a key file's contents).
 * @throws PluginError INVALID_ARGUMENT when the key cannot be read or is not ed25519
 */
export function createKeySigner(key: SigningKey): MarketplaceSigner {
  const resolved = resolvePrivateKey(key);
  return {
    keyId: resolved.keyId,
    publicKey: createPublicKey(resolved.key).export({ type: 'spki', format: 'der' }).toString('base64'),
    description: 'key in process',
    sign: async (bytes) => sign(null, bytes, resolved.key).toString('base64'),
  };
}

/** The signer of a key or a signer: a key is wrapped, a signer is itself. */
export function toMarketplaceSigner(key: SigningKey | MarketplaceSigner): MarketplaceSigner {
  return isMarketplaceSigner(key) ? key : createKeySigner(key);
}

/**
 * Signs a metadata body (protocol v2, PROTOCOL.md A2) with each distinct signer, which may sign
 * elsewhere: ed25519 over the UTF-8 of the body's canonical JSON. Answers the document's bytes as
 * `serializeMetadata` writes them: `"signatures"` sorts before `"signed"`, so the document is the
 * signatures and then the very text that was signed (the body is canonicalised once).
 * @throws PluginError UNAVAILABLE, SIGNATURE_INVALID (from a signer), INVALID_ARGUMENT (no signer)
 * @example
 * const bytes = await signMetadataDocument(timestampBody, [timestampSigner]);
 */
export async function signMetadataDocument(
  body: unknown,
  signers: readonly MarketplaceSigner[],
): Promise<Buffer> {
  const text = canonicalizeJson(body);
  const bytes = Buffer.from(text, 'utf8');
  const distinct = [...new Map(signers.map((signer) => [signer.keyId, signer])).values()];
  if (distinct.length === 0) throw new PluginError('INVALID_ARGUMENT', 'a metadata document needs a signer');
  const signatures = await Promise.all(
    distinct.map(async (signer) => ({ keyid: signer.keyId, sig: await signer.sign(bytes) })),
  );
  return Buffer.from(`{"signatures":${canonicalizeJson(signatures)},"signed":${text}}`, 'utf8');
}

/** A public key read once: its id, its base64 SPKI DER, and a check of signatures by it. */
export interface SignerPublicKey {
  keyId: string;
  publicKey: string;
  /** Whether `signature` (base64) is a valid ed25519 signature of `bytes` by this key. */
  verifies(bytes: Uint8Array, signature: string): boolean;
}

/**
 * Reads a signer's public key (base64 SPKI DER or PEM).
 * @throws PluginError INVALID_ARGUMENT when it is not an ed25519 public key
 */
export function readSignerPublicKey(publicKey: string): SignerPublicKey {
  const resolved = resolvePublicKey(publicKey);
  return {
    keyId: resolved.keyId,
    publicKey: resolved.key.export({ type: 'spki', format: 'der' }).toString('base64'),
    verifies(bytes, signature) {
      // A 64-byte ed25519 signature is 88 base64 characters ending in `==`.
      if (!/^[A-Za-z0-9+/]{86}==$/.test(signature)) return false;
      try {
        return verify(null, bytes, resolved.key, Buffer.from(signature, 'base64'));
      } catch {
        return false;
      }
    },
  };
}
