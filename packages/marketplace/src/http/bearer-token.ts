import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PluginError } from '@agentplug/models';

// Hashing first gives both sides one length, so the comparison takes the same time for any guess.
function tokensMatch(given: string, expected: string): boolean {
  const left = createHash('sha256').update(given).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}

/**
 * Lets a request through only with `Authorization: Bearer <token>` matching `token`, compared in
 * constant time; without a configured token nothing gets through.
 * @throws PluginError UNAUTHORIZED
 */
export function requireBearerToken(request: IncomingMessage, token: string | undefined): void {
  const match = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '');
  if (token === undefined || match === null || !tokensMatch(match[1] ?? '', token)) {
    throw new PluginError(
      'UNAUTHORIZED',
      token === undefined
        ? 'publishing is disabled on this server (no publish token is configured)'
        : 'a valid bearer token is required',
    );
  }
}
