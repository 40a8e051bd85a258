// Protocol v1 (one signed index of the whole catalog) is no longer in the package. To keep the v2
// figures beside what v1 cost, measured in the same run, this re-creates the v1 client's work on
// that index: fetch it whole, parse it as untrusted JSON, canonicalise the body, verify one ed25519
// signature, and record the version seen. It leaves out v1's shape check of every entry, so the
// baseline is a lower bound of what v1 cost (the ratios flatter v1, not v2).
import { createHash, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseUntrustedJson } from '@agentplug/models';
import { fetchBytes } from '../src/network/fetch-bytes';
import { canonicalizeJson, type SigningKeyPair } from '../src/protocol/index';
import { buildSyntheticIndex } from './synthetic-index';

/** The serialized v1 document of a synthetic catalog of `count` plugins, signed by `keys`. */
export function writeV1Index(count: number, keys: SigningKeyPair): Buffer {
  const body = buildSyntheticIndex(count);
  const privateKey = createPrivateKey({
    key: Buffer.from(keys.privateKey, 'base64'),
    format: 'der',
    type: 'pkcs8',
  });
  const signature = sign(null, Buffer.from(canonicalizeJson(body)), privateKey).toString('base64');
  return Buffer.from(canonicalizeJson({ signed: body, signatures: [{ keyid: keys.keyId, sig: signature }] }));
}

const NETWORK = {
  fetch: (input: string, init?: RequestInit) => fetch(input, init),
  requestTimeoutMs: 30_000,
  stallTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
  retries: 0,
  retryDelayMs: 10,
};

/** What a v1 client did to trust the index at `url`: fetch, parse, canonicalise, verify, record. */
export async function fetchAndVerifyV1(url: string, keys: SigningKeyPair, stateFile: string): Promise<void> {
  const bytes = await fetchBytes(url, NETWORK, { maxBytes: 64 * 1024 * 1024 });
  const document = parseUntrustedJson(bytes, {
    code: 'SIGNATURE_INVALID',
    what: 'the v1 index',
    maxBytes: bytes.length,
  }) as {
    signed: { version: number };
    signatures: { keyid: string; sig: string }[];
  };
  const publicKey = createPublicKey({
    key: Buffer.from(keys.publicKey, 'base64'),
    format: 'der',
    type: 'spki',
  });
  const canonical = Buffer.from(canonicalizeJson(document.signed));
  const valid = document.signatures.some(
    (signature) =>
      signature.keyid === keys.keyId &&
      verify(null, canonical, publicKey, Buffer.from(signature.sig, 'base64')),
  );
  if (!valid) throw new Error('the v1 baseline index does not verify');
  const sha256 = createHash('sha256').update(canonical).digest('hex');
  await writeFile(stateFile, JSON.stringify({ [url]: { version: document.signed.version, sha256 } }));
}
