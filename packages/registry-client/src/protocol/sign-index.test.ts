import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { canonicalizeJson } from './canonicalize-json';
import { type SignedIndexBody, SignedIndexBodySchema } from './marketplace-index';
import { signIndex, verifyIndex } from './sign-index';
import { generateSigningKeyPair } from './signing-keys';

const body: SignedIndexBody = {
  _type: 'agentplug-index',
  protocol_version: 1,
  version: 3,
  expires: '2999-01-01T00:00:00.000Z',
  signed_at: '2026-01-01T00:00:00.000Z',
  plugins: {},
};

describe('signIndex and verifyIndex', () => {
  it('canonicalises with sorted keys and no whitespace', () => {
    expect(canonicalizeJson({ b: [1, 'x', { d: null, c: true }], a: 0.5 })).toBe(
      '{"a":0.5,"b":[1,"x",{"c":true,"d":null}]}',
    );
  });

  it('accepts an index signed by a trusted key, with or without its key id', () => {
    const keys = generateSigningKeyPair();
    const signed = signIndex(body, keys);
    expect(verifyIndex(signed, { trustedKeys: [keys.publicKey] }).version).toBe(3);
    expect(
      verifyIndex(JSON.parse(JSON.stringify(signed)), {
        trustedKeys: [{ keyId: keys.keyId, publicKey: keys.publicKey }],
      }).version,
    ).toBe(3);
  });

  it('refuses an unknown key, a tampered body and a missing signature with SIGNATURE_INVALID', () => {
    const keys = generateSigningKeyPair();
    const other = generateSigningKeyPair();
    const signed = signIndex(body, keys);
    const codeOf = (run: () => unknown) => {
      try {
        run();
        return 'ok';
      } catch (error) {
        return PluginError.is(error) ? error.code : String(error);
      }
    };
    expect(codeOf(() => verifyIndex(signed, { trustedKeys: [other.publicKey] }))).toBe('SIGNATURE_INVALID');
    expect(
      codeOf(() =>
        verifyIndex({ ...signed, signed: { ...body, version: 4 } }, { trustedKeys: [keys.publicKey] }),
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(
      codeOf(() => verifyIndex({ signed: body, signatures: [] }, { trustedKeys: [keys.publicKey] })),
    ).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyIndex(signed, { trustedKeys: [] }))).toBe('SIGNATURE_INVALID');
  });

  it('refuses an expired index with INDEX_EXPIRED', () => {
    const keys = generateSigningKeyPair();
    const signed = signIndex(body, keys);
    expect(() => verifyIndex(signed, { trustedKeys: [keys.publicKey], now: new Date('3000-01-01') })).toThrow(
      expect.objectContaining({ code: 'INDEX_EXPIRED' }),
    );
  });
});

describe('verifyIndex shape checks', () => {
  const keys = generateSigningKeyPair();
  const version = {
    version: '1.0.0',
    dependencies: [],
    min_runtime_version: '*',
    max_runtime_version: '*',
    permissions: {},
    security_score: 90,
    risk_level: 'low',
    sha256: 'a'.repeat(64),
    size: 10,
    published_at: '2026-01-01T00:00:00.000Z',
  };
  const plugin = {
    plugin_id: 'com.example.a',
    name: 'a',
    description: '',
    plugin_type: 'tool',
    tags: [],
    author: 'x',
    versions: { '1.0.0': version },
  };
  const codeFor = (plugins: unknown): string => {
    try {
      verifyIndex(signIndex({ ...body, plugins } as SignedIndexBody, keys), {
        trustedKeys: [keys.publicKey],
      });
      return 'ok';
    } catch (error) {
      return PluginError.is(error) ? error.code : String(error);
    }
  };

  it('fills defaults and agrees with SignedIndexBodySchema on sound and broken bodies', () => {
    const samples: [unknown, string][] = [
      [{ 'com.example.a': plugin }, 'ok'],
      [{ 'com.example.b': plugin }, 'INDEX_INVALID'],
      [{ 'com.example.a': { ...plugin, versions: { '2.0.0': version } } }, 'INDEX_INVALID'],
      [
        { 'com.example.a': { ...plugin, versions: { '1.0.0': { ...version, sha256: 'xyz' } } } },
        'INDEX_INVALID',
      ],
      [{ 'com.example.a': { ...plugin, versions: { '1.0.0': { ...version, size: -1 } } } }, 'INDEX_INVALID'],
      [{ 'com.example.a': { ...plugin, plugin_type: 'virus' } }, 'INDEX_INVALID'],
    ];
    for (const [plugins, code] of samples) {
      expect(codeFor(plugins)).toBe(code);
    }
    for (const [plugins, code] of samples.slice(0, 1).concat(samples.slice(3))) {
      expect(SignedIndexBodySchema.safeParse({ ...body, plugins }).success).toBe(code === 'ok');
    }
    const verified = verifyIndex(
      signIndex({ ...body, plugins: { 'com.example.a': plugin } } as unknown as SignedIndexBody, keys),
      {
        trustedKeys: [keys.publicKey],
      },
    );
    expect(verified.plugins['com.example.a']?.versions['1.0.0']).toMatchObject({
      yanked: false,
      permissions: { network_hosts: [], environment_variables: [] },
    });
  });
});
