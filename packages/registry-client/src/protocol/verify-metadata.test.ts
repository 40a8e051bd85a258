import { createHash } from 'node:crypto';
import { PluginError, type PluginErrorCode, parseUntrustedJson } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { canonicalizeJson } from './canonicalize-json';
import { createRootMetadata } from './metadata-repository';
import type { RootBody, SignedMetadata } from './metadata-types';
import { serializeMetadata, signMetadata } from './sign-metadata';
import { generateSigningKeyPair } from './signing-keys';
import { verifyNextRoot, verifyTargets, verifyTrustedRoot } from './verify-metadata';

const rootKeys = [generateSigningKeyPair(), generateSigningKeyPair(), generateSigningKeyPair()];
const online = generateSigningKeyPair();
const expires = new Date(Date.now() + 24 * 60 * 60 * 1000);

function rootOf(version: number, keys = rootKeys, signers = keys) {
  return createRootMetadata({
    version,
    expires,
    keys: {
      root: keys.map((key) => key.publicKey),
      targets: [online.publicKey],
      snapshot: [online.publicKey],
      timestamp: [online.publicKey],
    },
    thresholds: { root: 2 },
    signers,
  });
}

function codeOf(action: () => unknown): PluginErrorCode | 'passed' {
  try {
    action();
    return 'passed';
  } catch (error) {
    if (PluginError.is(error)) return error.code;
    throw error;
  }
}

function withSignatures(document: SignedMetadata<unknown>, signatures: unknown[]): Buffer {
  return Buffer.from(canonicalizeJson({ signed: document.signed, signatures }));
}

describe('threshold signatures on the root', () => {
  it('needs two distinct root keys: one key, one key twice, or an unlisted key do not count', () => {
    const full = rootOf(1).document;
    expect(verifyTrustedRoot(serializeMetadata(full)).body.version).toBe(1);
    const [first, second] = full.signatures;
    expect(codeOf(() => verifyTrustedRoot(withSignatures(full, [first])))).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyTrustedRoot(withSignatures(full, [first, first, first])))).toBe(
      'SIGNATURE_INVALID',
    );
    const stranger = signMetadata(full.signed, [generateSigningKeyPair()]).signatures[0];
    expect(codeOf(() => verifyTrustedRoot(withSignatures(full, [first, stranger])))).toBe(
      'SIGNATURE_INVALID',
    );
    // A valid signature filed under the other key's id counts for neither.
    const misfiled = { keyid: (second as { keyid: string }).keyid, sig: (first as { sig: string }).sig };
    expect(codeOf(() => verifyTrustedRoot(withSignatures(full, [first, misfiled])))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(verifyTrustedRoot(withSignatures(full, [second, first])).body.version).toBe(1);
  });

  it('refuses one key listed under two ids, so one key cannot count twice', () => {
    const { document } = rootOf(1);
    const body = structuredClone(document.signed) as RootBody;
    const [keyId] = body.roles.root.keyids;
    const alias = 'f'.repeat(64);
    body.keys[alias] = body.keys[keyId as string] as RootBody['keys'][string];
    body.roles.root.keyids = [keyId as string, alias];
    body.roles.root.threshold = 2;
    const signed = signMetadata(body, [rootKeys[0] as never]);
    const aliased = withSignatures(signed, [signed.signatures[0], { ...signed.signatures[0], keyid: alias }]);
    expect(codeOf(() => verifyTrustedRoot(aliased))).toBe('SIGNATURE_INVALID');
  });

  it('accepts root N+1 only when a threshold of the old and of the new root keys sign it, numbered N+1', () => {
    const trusted = verifyTrustedRoot(serializeMetadata(rootOf(1).document));
    const newKeys = [generateSigningKeyPair(), generateSigningKeyPair()];
    const both = rootOf(2, newKeys, [...rootKeys.slice(0, 2), ...newKeys]);
    expect(verifyNextRoot(trusted, both.file.bytes).body.version).toBe(2);
    expect(codeOf(() => verifyNextRoot(trusted, rootOf(2, newKeys, newKeys).file.bytes))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(codeOf(() => verifyNextRoot(trusted, rootOf(2, newKeys, rootKeys).file.bytes))).toBe(
      'SIGNATURE_INVALID',
    );
    expect(
      codeOf(() =>
        verifyNextRoot(trusted, rootOf(2, newKeys, [rootKeys[0] as never, ...newKeys]).file.bytes),
      ),
    ).toBe('SIGNATURE_INVALID');
    expect(codeOf(() => verifyNextRoot(trusted, rootOf(3, rootKeys).file.bytes))).toBe('ROLLBACK_DETECTED');
    expect(codeOf(() => verifyNextRoot(trusted, rootOf(1, rootKeys).file.bytes))).toBe('ROLLBACK_DETECTED');
  });
});

describe('hostile member names', () => {
  it('a role or key named __proto__ or constructor is refused and pollutes nothing', () => {
    const { document } = rootOf(1);
    const text = canonicalizeJson(document);
    for (const hostile of [
      text.replace('"roles":{', '"roles":{"__proto__":{"keyids":[],"threshold":0},'),
      text.replace('"keys":{', '"keys":{"constructor":{"keytype":"ed25519","public":"AA=="},'),
      text.replace('"signed":{', '"signed":{"__proto__":{"version":2},'),
    ]) {
      expect(codeOf(() => verifyTrustedRoot(Buffer.from(hostile)))).not.toBe('passed');
    }
    const rolesWithoutRoot = JSON.parse(text) as SignedMetadata<RootBody>;
    const roles = rolesWithoutRoot.signed.roles as unknown as Record<string, unknown>;
    Object.defineProperty(roles, 'constructor', {
      value: roles.root,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    delete roles.root;
    const resigned = signMetadata(rolesWithoutRoot.signed, rootKeys);
    expect(codeOf(() => verifyTrustedRoot(serializeMetadata(resigned)))).toBe('INDEX_INVALID');
    expect(({} as Record<string, unknown>).version).toBeUndefined();
    expect(({} as Record<string, unknown>).keyids).toBeUndefined();
  });

  it('targets signed with a __proto__ version or plugin key are refused as malformed, not merged', () => {
    const trusted = verifyTrustedRoot(serializeMetadata(rootOf(1).document));
    const text = `{"signed":{"_type":"agentplug-targets","plugin":{"author":"a","description":"d","name":"n","plugin_type":"tool","tags":[]},"plugin_id":"com.example.one","protocol_version":2,"version":1,"versions":{"__proto__":{"version":"__proto__"}}},"signatures":[]}`;
    const parsed = parseUntrustedJson(text, { code: 'INDEX_INVALID', what: 'test' }) as { signed: unknown };
    const bytes = serializeMetadata(signMetadata(parsed.signed, [online]));
    const entry = {
      version: 1,
      length: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
    expect(codeOf(() => verifyTargets(bytes, { root: trusted, pluginId: 'com.example.one', entry }))).toBe(
      'INDEX_INVALID',
    );
    expect(({} as Record<string, unknown>).version).toBeUndefined();
  });
});
