import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a token may do. */
export type TokenScope = 'publish' | 'yank' | 'rate';

/** Every scope, in the order help texts list them. */
export const TOKEN_SCOPES: readonly TokenScope[] = ['publish', 'yank', 'rate'];

/** A token as parsed from a request: its public id and its secret. */
export interface ParsedApiToken {
  id: string;
  secret: string;
}

// `agp_<16 hex id>_<43 base64url secret>`: the id finds the row, the secret is checked by hash.
const TOKEN_PATTERN = /^agp_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

/** Longest token text looked at; anything longer is refused before any work. */
const MAX_TOKEN_LENGTH = 128;

/** Makes a new token: the text shown once, its id, and the hash that is stored. */
export function createApiToken(): { token: string; id: string; secretSha256: Buffer } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { token: `agp_${id}_${secret}`, id, secretSha256: hashSecret(secret) };
}

/** Parses a token's text, or answers undefined for anything that is not one (no detail why). */
export function parseApiToken(text: string): ParsedApiToken | undefined {
  if (text.length > MAX_TOKEN_LENGTH) return undefined;
  const match = TOKEN_PATTERN.exec(text);
  if (match === null) return undefined;
  return { id: match[1] ?? '', secret: match[2] ?? '' };
}

/** The stored form of a secret: tokens are 256 random bits, so one sha256 is enough. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Compares a secret with a stored hash in constant time. */
export function secretMatches(secret: string, stored: Uint8Array): boolean {
  const given = hashSecret(secret);
  return stored.length === given.length && timingSafeEqual(given, Buffer.from(stored));
}
