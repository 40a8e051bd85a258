import { describe, expect, it } from 'vitest';
import { toSnakeCaseKeys } from './snake-case-keys';

describe('toSnakeCaseKeys', () => {
  it('turns camelCase keys to snake_case at every depth, arrays included', () => {
    expect(
      toSnakeCaseKeys({ createdAt: 'x', tokens: [{ expiresAt: null, revokedAt: 'y' }], key_id: 'k' }),
    ).toEqual({
      created_at: 'x',
      tokens: [{ expires_at: null, revoked_at: 'y' }],
      key_id: 'k',
    });
  });

  it("keeps other people's documents as written: schemas, settings, details", () => {
    const value = {
      configSchema: { properties: { maxItems: {} } },
      details: { tokenId: 't' },
      config: { myKey: 1 },
    };
    expect(toSnakeCaseKeys(value)).toEqual({
      config_schema: { properties: { maxItems: {} } },
      details: { tokenId: 't' },
      config: { myKey: 1 },
    });
  });

  it('keeps a __proto__ key as a key', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true}}') as object;
    const converted = toSnakeCaseKeys(value) as Record<string, unknown>;
    expect(Object.hasOwn(converted, '__proto__')).toBe(true);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
