import { KeyObject } from 'node:crypto';
import { PluginError } from '@agentplug/models';
import { canonicalizeJson } from './canonicalize-json';
import type { RoleKeys, SignedMetadata } from './metadata-types';
import {
  type ResolvedPrivateKey,
  type ResolvedPublicKey,
  resolvePrivateKey,
  type SigningKey,
  signBytes,
  verifyBytes,
} from './signing-keys';

/** Most signatures a client looks at on one document: each costs a verification. */
export const MAX_METADATA_SIGNATURES = 64;

/**
 * Signs a metadata body with each key given: ed25519 over the UTF-8 of `canonicalizeJson(body)`.
 * @throws PluginError INVALID_ARGUMENT when a key cannot be read or the body cannot be canonicalised
 * @example
 * const timestamp = signMetadata(timestampBody, [timestampKey]);
 */
export function signMetadata<Body>(
  body: Body,
  signers: readonly (SigningKey | ResolvedPrivateKey)[],
): SignedMetadata<Body> {
  const bytes = Buffer.from(canonicalizeJson(body), 'utf8');
  const seen = new Set<string>();
  const signatures: SignedMetadata<Body>['signatures'] = [];
  for (const signer of signers) {
    const resolved = isResolved(signer) ? signer : resolvePrivateKey(signer);
    if (seen.has(resolved.keyId)) continue;
    seen.add(resolved.keyId);
    signatures.push({ keyid: resolved.keyId, sig: signBytes(bytes, resolved) });
  }
  return { signed: body, signatures };
}

function isResolved(signer: SigningKey | ResolvedPrivateKey): signer is ResolvedPrivateKey {
  return typeof signer === 'object' && 'key' in signer && signer.key instanceof KeyObject;
}

/**
 * Reads signing keys once, so a signer of many documents (a catalog's targets) does not parse
 * each key again per signature.
 * @throws PluginError INVALID_ARGUMENT when a key cannot be read or is not ed25519
 */
export function resolveSigners(signers: readonly SigningKey[]): ResolvedPrivateKey[] {
  return signers.map((signer) => resolvePrivateKey(signer));
}

/** The bytes a marketplace serves for a metadata document: its canonical JSON, UTF-8. */
export function serializeMetadata(document: SignedMetadata<unknown>): Buffer {
  return Buffer.from(canonicalizeJson(document), 'utf8');
}

/** A metadata document split into its untrusted parts, with the canonical bytes of `signed`. */
export interface MetadataEnvelope {
  signed: Record<string, unknown>;
  signatures: readonly unknown[];
  /** The canonical UTF-8 bytes of `signed`: what each signature must cover. */
  bytes: Buffer;
}

/**
 * Splits a parsed (untrusted) document into `signed`, `signatures` and the canonical bytes of
 * `signed`, reading own members only.
 * @throws PluginError SIGNATURE_INVALID when it is not a signed document or carries too many signatures
 */
export function readEnvelope(document: unknown, what: string): MetadataEnvelope {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) {
    throw new PluginError('SIGNATURE_INVALID', `${what} is not a signed document`);
  }
  const signed = Object.hasOwn(document, 'signed') ? (document as { signed: unknown }).signed : undefined;
  const signatures = Object.hasOwn(document, 'signatures')
    ? (document as { signatures: unknown }).signatures
    : undefined;
  if (typeof signed !== 'object' || signed === null || Array.isArray(signed) || !Array.isArray(signatures)) {
    throw new PluginError('SIGNATURE_INVALID', `${what} has no "signed" body or no "signatures"`);
  }
  if (signatures.length > MAX_METADATA_SIGNATURES) {
    throw new PluginError(
      'SIGNATURE_INVALID',
      `${what} carries ${signatures.length} signatures; at most ${MAX_METADATA_SIGNATURES} are read`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = Buffer.from(canonicalizeJson(signed), 'utf8');
  } catch (error) {
    throw new PluginError('SIGNATURE_INVALID', `the body of ${what} cannot be canonicalised`, {
      cause: error,
    });
  }
  return { signed: signed as Record<string, unknown>, signatures, bytes };
}

/**
 * How many distinct keys of `role` signed `envelope` validly. A key counts once however often it
 * signs, a key id the role does not list counts never, and a key id is only ever looked up as an
 * own member of `keys` (a `Map`), so `__proto__` or `constructor` find nothing.
 */
export function countRoleSignatures(
  envelope: MetadataEnvelope,
  role: RoleKeys,
  keys: ReadonlyMap<string, ResolvedPublicKey>,
): number {
  const allowed = new Set(role.keyids);
  const counted = new Set<string>();
  for (const signature of envelope.signatures) {
    if (typeof signature !== 'object' || signature === null) continue;
    const keyid = Object.hasOwn(signature, 'keyid') ? (signature as { keyid: unknown }).keyid : undefined;
    const sig = Object.hasOwn(signature, 'sig') ? (signature as { sig: unknown }).sig : undefined;
    if (typeof keyid !== 'string' || typeof sig !== 'string' || sig.length > 200) continue;
    if (!allowed.has(keyid) || counted.has(keyid)) continue;
    const key = keys.get(keyid);
    if (key !== undefined && verifyBytes(envelope.bytes, sig, key)) counted.add(keyid);
  }
  return counted.size;
}
