import { generateSigningKeyPair, serializeSignedIndex, signIndex } from '@agentplug/registry-client/protocol';
import { describe, expect, it } from 'vitest';
import { buildSyntheticIndex } from '../../../registry-client/bench/synthetic-index';
import {
  createKeySigner,
  isMarketplaceSigner,
  readSignerPublicKey,
  signIndexDocument,
} from './marketplace-signer';

describe('the index signer', () => {
  it('writes the same bytes as signIndex and serializeSignedIndex, byte for byte', async () => {
    const keys = generateSigningKeyPair();
    const body = buildSyntheticIndex(50);
    const document = await signIndexDocument(body, createKeySigner(keys));
    expect(document.toString('utf8')).toBe(serializeSignedIndex(signIndex(body, keys)));
  });

  it('tells a signer from a key, and checks signatures by a public key', async () => {
    const keys = generateSigningKeyPair();
    const signer = createKeySigner(keys);
    expect(isMarketplaceSigner(signer)).toBe(true);
    expect(isMarketplaceSigner(keys)).toBe(false);
    expect(isMarketplaceSigner(keys.privateKey)).toBe(false);
    expect(signer.publicKey).toBe(keys.publicKey);
    expect(signer.keyId).toBe(keys.keyId);
    const key = readSignerPublicKey(keys.publicKey);
    const signature = await signer.sign(Buffer.from('bytes'));
    expect(key.verifies(Buffer.from('bytes'), signature)).toBe(true);
    expect(key.verifies(Buffer.from('other'), signature)).toBe(false);
    expect(key.verifies(Buffer.from('bytes'), 'not a signature')).toBe(false);
  });
});
