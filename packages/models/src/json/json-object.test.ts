import { describe, expect, it } from 'vitest';
import { isJsonObject, mergeJsonObjects } from './json-object';
import { parseUntrustedJson } from './parse-untrusted-json';

describe('isJsonObject', () => {
  it('accepts objects and refuses null, arrays and primitives', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject(Object.create(null))).toBe(true);
    for (const value of [null, [], 'x', 1, true, undefined]) expect(isJsonObject(value)).toBe(false);
  });
});

describe('mergeJsonObjects', () => {
  it('merges objects deeply and lets arrays and values of the override replace', () => {
    const base = { config: { a: 1, b: [1, 2], nested: { x: 1 } }, enabled: true };
    const merged = mergeJsonObjects(base, { config: { b: [3], nested: { y: 2 } }, enabled: false });
    expect(merged).toEqual({ config: { a: 1, b: [3], nested: { x: 1, y: 2 } }, enabled: false });
    expect(base.config.nested).toEqual({ x: 1 });
  });

  it('keeps a __proto__ key from untrusted JSON as a key and never changes a prototype', () => {
    const override = parseUntrustedJson('{"config":{"__proto__":{"polluted":true}}}', {
      code: 'CONFIG_INVALID',
      what: 'a config document',
    }) as Record<string, unknown>;
    const merged = mergeJsonObjects({ config: {} }, override);
    const config = merged.config as Record<string, unknown>;
    expect(Object.hasOwn(config, '__proto__')).toBe(true);
    expect((config as { polluted?: unknown }).polluted).toBeUndefined();
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
