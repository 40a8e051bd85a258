import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PluginError } from '@agentplug/models';
import type { TokenScope } from '../publishers/api-token';
import type { Actor, Principal, PublisherDirectory } from '../publishers/publisher-directory';
import type { ChangeOptions } from '../service/marketplace-service';
import type { RateLimiter } from './rate-limiter';

/** Who a request is, once its token is checked. */
export type Caller =
  | { kind: 'operator-token'; actor: Actor }
  | { kind: 'publisher'; actor: Actor; principal: Principal };

/**
 * Decides who may publish, yank and rate: publisher tokens from the directory (scoped, namespaced,
 * audited), and the server's one shared publish token for a single operator, if configured.
 */
export interface AccessControl {
  /** True when ratings need a token (a server with publisher accounts). */
  readonly ratingsNeedToken: boolean;
  /**
   * Checks the request's bearer token for a scope, before its body is read.
   * @throws PluginError UNAUTHORIZED (no token, or not a valid one), FORBIDDEN (the token lacks the scope)
   */
  authenticate(request: IncomingMessage, scope: TokenScope): Promise<Caller>;
  /** What a change runs with: the namespace check before anything is written, and its audit entry (written in the change's transaction). */
  guard(caller: Caller): ChangeOptions;
}

// Hashing first gives both sides one length, so the comparison takes the same time for any guess.
function tokensMatch(given: string, expected: string): boolean {
  const left = createHash('sha256').update(given).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}

/** The request's address, as the audit log and the rate limits see it. */
export function addressOf(request: IncomingMessage): string {
  return request.socket?.remoteAddress ?? 'unknown';
}

/** Reads `Authorization: Bearer <token>`, bounded: a header of more than 512 characters is no token. */
export function readBearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization ?? '';
  if (header.length > 512) return undefined;
  const match = /^Bearer[ \t]+([\x21-\x7e]+)$/i.exec(header);
  return match?.[1];
}

/** Options of {@link createAccessControl}. */
export interface AccessControlOptions {
  /** The shared token of a single operator (may publish and yank anything). */
  publishToken: string | undefined;
  /** Publisher accounts; undefined on the folder engine (then only the shared token publishes). */
  directory: PublisherDirectory | undefined;
  /** Limits each publisher token's publishes, yanks and ratings. */
  tokenLimiter?: RateLimiter | undefined;
}

/** Builds the access rules of a server. */
export function createAccessControl(options: AccessControlOptions): AccessControl {
  const { directory, publishToken } = options;
  return {
    ratingsNeedToken: directory !== undefined,
    async authenticate(request, scope) {
      const token = readBearerToken(request);
      const address = addressOf(request);
      if (token !== undefined && publishToken !== undefined && tokensMatch(token, publishToken)) {
        return { kind: 'operator-token', actor: { name: 'operator-token', address } };
      }
      if (token === undefined || directory === undefined) {
        throw new PluginError(
          'UNAUTHORIZED',
          directory === undefined && publishToken === undefined
            ? 'publishing is disabled on this server (no publish token is configured)'
            : 'a valid bearer token is required',
        );
      }
      const principal = await directory.authenticate(token);
      const wait = options.tokenLimiter?.take(`token:${principal.tokenId}`);
      if (wait !== undefined) {
        throw new PluginError('RATE_LIMITED', `too many requests with token ${principal.tokenId}`, {
          details: { retryAfterSeconds: wait },
        });
      }
      if (!principal.scopes.includes(scope)) {
        throw new PluginError(
          'FORBIDDEN',
          `this token may not ${scope} (its scopes: ${principal.scopes.join(', ')})`,
          {
            details: { scope, scopes: principal.scopes },
          },
        );
      }
      return { kind: 'publisher', principal, actor: { name: `publisher:${principal.publisher}`, address } };
    },
    guard(caller) {
      if (directory === undefined) return {};
      return {
        // Reads only (the namespaces the publisher owns): a round checks its publishes without savepoints.
        authorize:
          caller.kind === 'publisher'
            ? (change) =>
                directory.authorize(
                  caller.principal,
                  change.action === 'publish' ? 'publish' : 'yank',
                  change.pluginId,
                )
            : undefined,
        audit: (change) => ({
          actor: caller.actor,
          action: change.action,
          subject: `${change.pluginId}@${change.version}`,
          details: caller.kind === 'publisher' ? { tokenId: caller.principal.tokenId } : {},
        }),
      };
    },
  };
}
