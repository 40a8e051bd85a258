import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { PluginError } from '@agentplug/models';

/** An ed25519 key pair in the text form the marketplace and the client exchange. */
export interface SigningKeyPair {
  /** sha256 (hex) of the SPKI DER public key; what signatures name. */
  keyId: string;
  /** base64 of the SPKI DER public key: put this in the client's `trustedKeys`. */
  publicKey: string;
  /** base64 of the PKCS#8 DER private key: the marketplace's `signingKey`. Keep it secret. */
  privateKey: string;
}

/** A public key the client trusts: base64 SPKI DER or PEM, optionally with its key id (checked when given). */
export type TrustedKey = string | { keyId?: string; publicKey: string };

/** A private key to sign with: base64 PKCS#8 DER or PEM, a {@link SigningKeyPair}, or a node KeyObject. */
export type SigningKey = string | { privateKey: string; keyId?: string } | KeyObject;

/** A public key ready to verify with. */
export interface ResolvedPublicKey {
  keyId: string;
  key: KeyObject;
}

/** A private key ready to sign with. */
export interface ResolvedPrivateKey {
  keyId: string;
  key: KeyObject;
}

function computeKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex');
}

function ensureEd25519(key: KeyObject, label: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `${label} is a ${key.asymmetricKeyType} key; ed25519 is required`,
    );
  }
}

/**
 * Generates an ed25519 key pair for signing a marketplace index.
 * @example
 * const keys = generateSigningKeyPair();
 * await createMarketplaceServer({ storeDirectory, signingKey: keys });
 * new PluginRegistry({ trustedKeys: [keys.publicKey], ... });
 */
export function generateSigningKeyPair(): SigningKeyPair {
  const pair = generateKeyPairSync('ed25519');
  return {
    keyId: computeKeyId(pair.publicKey),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
  };
}

/**
 * Turns a {@link TrustedKey} into a verification key with its key id.
 * @throws PluginError INVALID_ARGUMENT when the key cannot be read, is not ed25519, or its key id does not match
 */
export function resolvePublicKey(trustedKey: TrustedKey): ResolvedPublicKey {
  const text = typeof trustedKey === 'string' ? trustedKey : trustedKey.publicKey;
  let key: KeyObject;
  try {
    key = text.includes('-----BEGIN')
      ? createPublicKey(text)
      : createPublicKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'spki' });
  } catch (error) {
    throw new PluginError('INVALID_ARGUMENT', 'a trusted key is not a base64 SPKI or PEM public key', {
      cause: error,
    });
  }
  ensureEd25519(key, 'a trusted key');
  const keyId = computeKeyId(key);
  if (typeof trustedKey !== 'string' && trustedKey.keyId !== undefined && trustedKey.keyId !== keyId) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `trusted key id ${trustedKey.keyId} does not match its key (${keyId})`,
    );
  }
  return { keyId, key };
}

/**
 * Turns a {@link SigningKey} into a signing key with its key id.
 * @throws PluginError INVALID_ARGUMENT when the key cannot be read or is not ed25519
 */
export function resolvePrivateKey(signingKey: SigningKey): ResolvedPrivateKey {
  let key: KeyObject;
  if (typeof signingKey === 'object' && !('privateKey' in signingKey)) {
    key = signingKey;
  } else {
    const text =
      typeof signingKey === 'string' ? signingKey : (signingKey as { privateKey: string }).privateKey;
    try {
      key = text.includes('-----BEGIN')
        ? createPrivateKey(text)
        : createPrivateKey({ key: Buffer.from(text, 'base64'), format: 'der', type: 'pkcs8' });
    } catch (error) {
      throw new PluginError('INVALID_ARGUMENT', 'the signing key is not a base64 PKCS#8 or PEM private key', {
        cause: error,
      });
    }
  }
  ensureEd25519(key, 'the signing key');
  return { keyId: computeKeyId(createPublicKey(key)), key };
}

/** Signs bytes with ed25519. */
export function signBytes(bytes: Uint8Array, privateKey: ResolvedPrivateKey): string {
  return sign(null, bytes, privateKey.key).toString('base64');
}

/** Whether `signature` (base64) is a valid ed25519 signature of `bytes` by `publicKey`. */
export function verifyBytes(bytes: Uint8Array, signature: string, publicKey: ResolvedPublicKey): boolean {
  try {
    return verify(null, bytes, publicKey.key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
