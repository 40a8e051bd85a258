import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors/plugin-error';
import { parseUntrustedJson } from '../index';

const options = { code: 'SIGNATURE_INVALID', what: 'the test document' } as const;

function refusal(input: string | Uint8Array, extra: { maxBytes?: number; maxDepth?: number } = {}) {
  try {
    parseUntrustedJson(input, { ...options, ...extra });
  } catch (error) {
    if (PluginError.is(error)) return { code: error.code, reason: error.details.reason };
    return { code: 'not a PluginError', reason: String(error) };
  }
  return { code: 'accepted', reason: undefined };
}

describe('parseUntrustedJson', () => {
  it('keeps __proto__, constructor and prototype as own keys of null-prototype objects that inherit nothing', () => {
    const value = parseUntrustedJson(
      '{"plugins":{"__proto__":{"com.evil.x":{"v":1}},"constructor":{"prototype":{"polluted":true}}},"list":[{"__proto__":[]}]}',
      options,
    ) as Record<string, Record<string, unknown>>;
    const plugins = value.plugins as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBeNull();
    expect(Object.getPrototypeOf(plugins)).toBeNull();
    expect(Object.keys(plugins)).toEqual(['__proto__', 'constructor']);
    expect(plugins['com.evil.x']).toBeUndefined();
    expect(Object.hasOwn(plugins, '__proto__')).toBe(true);
    expect(
      Object.getPrototypeOf((plugins.constructor as unknown as Record<string, unknown>).prototype),
    ).toBeNull();
    expect(Object.getPrototypeOf((value.list as unknown as unknown[])[0])).toBeNull();
    const empty = parseUntrustedJson('{}', options) as Record<string, unknown>;
    expect([empty.constructor, empty.toString, empty.__proto__, empty.hasOwnProperty]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses 200,000 levels of nesting with the caller code, for arrays, objects and a mix', () => {
    const depth = 200_000;
    for (const text of [
      '['.repeat(depth) + ']'.repeat(depth),
      '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
      '[{"a":'.repeat(depth / 2),
    ]) {
      expect(refusal(text)).toEqual({ code: 'SIGNATURE_INVALID', reason: 'depth' });
    }
    expect(refusal('[[[1]]]', { maxDepth: 2 })).toEqual({ code: 'SIGNATURE_INVALID', reason: 'depth' });
    expect(parseUntrustedJson('[[1]]', { ...options, maxDepth: 2 })).toEqual([[1]]);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ a: '[[[[{{{{', b: 'say \\"[[[[" \\\\', c: ['\\'] });
    expect(parseUntrustedJson(text, { ...options, maxDepth: 2 })).toEqual(JSON.parse(text));
  });

  it('refuses text over the byte cap, invalid UTF-8 and bad syntax with the caller code', () => {
    expect(refusal('"abcdef"', { maxBytes: 5 })).toEqual({ code: 'SIGNATURE_INVALID', reason: 'size' });
    expect(refusal(new Uint8Array([0x22, 0xff, 0x22]))).toEqual({
      code: 'SIGNATURE_INVALID',
      reason: 'encoding',
    });
    for (const text of ['', '{', '{"a":1,}', "{'a':1}", '[1] [2]', 'NaN', '"\\x41"']) {
      expect(refusal(text)).toEqual({ code: 'SIGNATURE_INVALID', reason: 'syntax' });
    }
  });

  it('reads bytes with a byte-order mark as the same value as without', () => {
    const bytes = Buffer.from('\uFEFF{"a":[1,"\u00e9"]}', 'utf8');
    expect(JSON.stringify(parseUntrustedJson(bytes, options))).toBe('{"a":[1,"\u00e9"]}');
  });
});
