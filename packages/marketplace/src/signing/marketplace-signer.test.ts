import { generateSigningKeyPair, serializeMetadata, signMetadata } from '@agentplug/registry-client/protocol';
import { describe, expect, it } from 'vitest';
import {
  createKeySigner,
  isMarketplaceSigner,
  readSignerPublicKey,
  signMetadataDocument,
} from './marketplace-signer';

describe('the metadata signer', () => {
  it('writes the same bytes as signMetadata and serializeMetadata, byte for byte, one signature per key', async () => {
    const first = generateSigningKeyPair();
    const second = generateSigningKeyPair();
    const body = { _type: 'agentplug-timestamp', version: 3, nested: { b: [1, 'é'], a: null } };
    const document = await signMetadataDocument(body, [
      createKeySigner(first),
      createKeySigner(second),
      createKeySigner(first),
    ]);
    expect(document.toString('utf8')).toBe(
      serializeMetadata(signMetadata(body, [first, second])).toString('utf8'),
    );
    await expect(signMetadataDocument(body, [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
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
