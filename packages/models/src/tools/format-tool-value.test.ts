import { describe, expect, it } from 'vitest';
import { formatToolValue, isJsonValue } from './format-tool-value';

describe('formatToolValue', () => {
  it('keeps strings and writes everything else as JSON', () => {
    expect(formatToolValue('Hello, Ada!')).toBe('Hello, Ada!');
    expect(formatToolValue(8)).toBe('8');
    expect(formatToolValue({ stages: [['a'], ['b']] })).toBe('{"stages":[["a"],["b"]]}');
    expect(formatToolValue(undefined)).toBe('null');
  });

  it('writes what JSON cannot hold as readable text', () => {
    expect(formatToolValue({ big: 2n ** 70n })).toBe('{"big":"1180591620717411303424"}');
    expect(formatToolValue(new Date(0))).toBe('"1970-01-01T00:00:00.000Z"');
    expect(
      formatToolValue(
        new Map<unknown, unknown>([
          ['a', 1],
          [true, new Set(['x'])],
        ]),
      ),
    ).toBe('{"a":1,"true":["x"]}');
    expect(formatToolValue(new Uint8Array([1, 2]))).toBe('[1,2]');
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(formatToolValue(circular)).toBe('[object Object]');
    expect(formatToolValue(Symbol('x'))).toBe('Symbol(x)');
  });
});

describe('isJsonValue', () => {
  it('accepts plain JSON data', () => {
    for (const value of [null, true, 0, -1.5, 'text', [], {}, { a: [1, { b: null }] }, Object.create(null)]) {
      expect(isJsonValue(value)).toBe(true);
    }
  });

  it('refuses what a JSON round trip would change', () => {
    const circular: unknown[] = [];
    circular.push(circular);
    for (const value of [
      undefined,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1n,
      new Date(0),
      new Map(),
      { nested: { fn: () => 1 } },
      [1, undefined],
      // biome-ignore lint/suspicious/noSparseArray: a hole is what this case is about
      [1, , 3],
      circular,
    ]) {
      expect(isJsonValue(value)).toBe(false);
    }
  });
});
