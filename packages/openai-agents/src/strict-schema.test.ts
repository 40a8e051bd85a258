import { describe, expect, it } from 'vitest';
import { isStrictCompatibleSchema } from './strict-schema';

const closed = (properties: Record<string, unknown>, required = Object.keys(properties)) => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

describe('isStrictCompatibleSchema', () => {
  it('accepts closed objects of the keywords strict mode supports, nested, with optional properties', () => {
    expect(
      isStrictCompatibleSchema(
        closed({ function: { type: 'string', enum: ['sin'] }, value: { type: 'number' } }),
      ),
    ).toBe(true);
    expect(isStrictCompatibleSchema(closed({ when: { type: 'string', format: 'date-time' } }, []))).toBe(
      true,
    );
    expect(
      isStrictCompatibleSchema(
        closed({
          values: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
          point: { $ref: '#/$defs/point' },
        }),
      ),
    ).toBe(false);
    expect(
      isStrictCompatibleSchema({
        ...closed({ point: { $ref: '#/$defs/point' } }),
        $defs: {
          point: closed({ x: { type: 'number' }, y: { anyOf: [{ type: 'number' }, { type: 'null' }] } }),
        },
      }),
    ).toBe(true);
    expect(isStrictCompatibleSchema(closed({}))).toBe(true);
  });

  it('refuses what strict mode would refuse or change', () => {
    expect(isStrictCompatibleSchema({ type: 'object', properties: { a: { type: 'string' } } })).toBe(false);
    expect(isStrictCompatibleSchema(closed({ name: { type: 'string', minLength: 1 } }))).toBe(false);
    expect(
      isStrictCompatibleSchema(closed({ tags: { type: 'array', items: { type: 'string' }, default: [] } })),
    ).toBe(false);
    expect(isStrictCompatibleSchema(closed({ metadata: { type: 'object' } }))).toBe(false);
    expect(isStrictCompatibleSchema(closed({ inner: { type: 'object', properties: {} } }))).toBe(false);
    expect(isStrictCompatibleSchema(closed({ either: { oneOf: [{ type: 'string' }] } }))).toBe(false);
    expect(isStrictCompatibleSchema(closed({ remote: { $ref: 'https://example.com/schema.json' } }))).toBe(
      false,
    );
    expect(isStrictCompatibleSchema(closed({ map: { type: 'string', additionalProperties: false } }))).toBe(
      false,
    );
  });

  it('refuses what is not a schema object, and schemas nested past 32 levels', () => {
    for (const value of [null, 'object', [], 1]) expect(isStrictCompatibleSchema(value)).toBe(false);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let level = 0; level < 40; level += 1) deep = closed({ next: deep });
    expect(isStrictCompatibleSchema(deep)).toBe(false);
  });
});
