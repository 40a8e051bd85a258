import { PluginError } from '@agentplug/models';
import { DEFAULT_SCHEMA, quoteSchema } from '../sql/migrate';
import type { SqlDatabase } from '../sql/sql-database';
import { createApiToken, parseApiToken, secretMatches, TOKEN_SCOPES, type TokenScope } from './api-token';
import { namespaceCovers, namespacesOverlap, requireNamespace, requirePublisherName } from './namespace';

/** Who made a request or ran a command, as the audit log names them. */
export interface Actor {
  /** `publisher:<name>`, `operator` (a command on the server's machine) or `operator-token`. */
  name: string;
  /** Where the request came from (an address), or what ran the command. */
  address: string;
}

/** A publisher authenticated by one of its tokens. */
export interface Principal {
  publisherId: number;
  publisher: string;
  tokenId: string;
  scopes: readonly TokenScope[];
}

/** A publisher account as the operator lists it. */
export interface PublisherSummary {
  name: string;
  createdAt: string;
  namespaces: string[];
  tokens: {
    id: string;
    scopes: TokenScope[];
    note: string;
    createdAt: string;
    expiresAt: string | null;
    revokedAt: string | null;
  }[];
}

/** One audit entry. */
export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  address: string;
  details: Record<string, unknown>;
}

/** Options of {@link PublisherDirectory.createToken}. */
export interface CreateTokenOptions {
  scopes: readonly TokenScope[];
  /** When the token stops working; undefined never. */
  expiresAt?: Date;
  /** A note for the operator (what the token is for), at most 200 characters. */
  note?: string;
}

/** One entry to append to the audit log: who did what to what, and details kept as JSON. */
export interface AuditInput {
  actor: Actor;
  action: string;
  subject: string;
  details?: Record<string, unknown>;
}

/**
 * Publisher accounts, their namespaces and tokens, and the append-only audit log, in the store's
 * SQL database. Every change is written to the audit log in the same transaction as the change.
 */
export interface PublisherDirectory {
  /** @throws PluginError INVALID_ARGUMENT (name), CONFLICT (exists) */
  addPublisher(name: string, actor: Actor): Promise<void>;
  /** @throws PluginError INVALID_ARGUMENT, NOT_FOUND (publisher), CONFLICT (overlaps another publisher's namespace) */
  grantNamespace(publisher: string, namespace: string, actor: Actor): Promise<void>;
  /** @throws PluginError INVALID_ARGUMENT, NOT_FOUND (the publisher does not hold it) */
  revokeNamespace(publisher: string, namespace: string, actor: Actor): Promise<void>;
  /**
   * Makes a token; its text is answered once and only its hash is kept.
   * @throws PluginError INVALID_ARGUMENT (scopes, expiry, note), NOT_FOUND (publisher)
   */
  createToken(
    publisher: string,
    options: CreateTokenOptions,
    actor: Actor,
  ): Promise<{ id: string; token: string }>;
  /** @throws PluginError NOT_FOUND (no such token, or already revoked) */
  revokeToken(tokenId: string, actor: Actor): Promise<void>;
  listPublishers(): Promise<PublisherSummary[]>;
  /**
   * The publisher a token belongs to, when the token exists, matches, is not revoked and has not
   * expired; the same UNAUTHORIZED for every failure, so no answer tells which part was wrong.
   * @throws PluginError UNAUTHORIZED
   */
  authenticate(tokenText: string): Promise<Principal>;
  /**
   * Allows an action on a plugin id: the token has the scope and (publish, yank) the publisher owns a
   * namespace covering the id.
   * @throws PluginError FORBIDDEN
   */
  authorize(principal: Principal, scope: TokenScope, pluginId: string): Promise<void>;
  /** Appends entries to the audit log, in order, in one statement (inside the caller's transaction, if any). */
  audit(entries: AuditInput | readonly AuditInput[]): Promise<void>;
  /** The newest entries first, at most `limit` (default 100, at most 10,000). */
  readAudit(options?: { limit?: number }): Promise<AuditEntry[]>;
}

const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;
const iso = (column: string): string => `to_char(${column} at time zone 'UTC', ${ISO})`;

function requireScopes(scopes: readonly string[]): TokenScope[] {
  const unique = [...new Set(scopes)];
  if (unique.length === 0 || unique.some((scope) => !TOKEN_SCOPES.includes(scope as TokenScope))) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `token scopes must be one or more of ${TOKEN_SCOPES.join(', ')}, not "${scopes.join(',')}"`,
    );
  }
  return unique as TokenScope[];
}

/** Opens the publisher directory in a migrated database (the store's own, so changes share its transactions). */
export function createPublisherDirectory(
  database: SqlDatabase,
  schema: string = DEFAULT_SCHEMA,
): PublisherDirectory {
  const table = (name: string): string => `${quoteSchema(schema)}.${name}`;
  const query = database.query;

  const publisherId = async (name: string): Promise<number> => {
    requirePublisherName(name);
    const rows = await query<{ id: number }>(
      `select id::float8 as id from ${table('publishers')} where name = $1`,
      [name],
    );
    const row = rows[0];
    if (row === undefined)
      throw new PluginError('NOT_FOUND', `no publisher named ${name}`, { details: { publisher: name } });
    return row.id;
  };

  const directory: PublisherDirectory = {
    addPublisher: (name, actor) =>
      database.transaction(async () => {
        requirePublisherName(name);
        const rows = await query(
          `insert into ${table('publishers')} (name) values ($1) on conflict (name) do nothing returning id`,
          [name],
        );
        if (rows.length === 0)
          throw new PluginError('CONFLICT', `a publisher named ${name} exists`, {
            details: { publisher: name },
          });
        await directory.audit({ actor, action: 'publisher.add', subject: name });
      }),
    grantNamespace: (publisher, namespace, actor) =>
      database.transaction(async () => {
        requireNamespace(namespace);
        const id = await publisherId(publisher);
        // Grants are rare; the lock keeps two overlapping grants from both passing the check.
        await query('select pg_advisory_xact_lock(hashtext($1))', [`agentplug-namespaces:${schema}`]);
        const held = await query<{ namespace: string; owner: string }>(
          `select n.namespace, p.name as owner from ${table('namespaces')} n join ${table('publishers')} p on p.id = n.publisher_id`,
        );
        const clash = held.find((row) => namespacesOverlap(row.namespace, namespace));
        if (clash !== undefined) {
          throw new PluginError(
            'CONFLICT',
            clash.owner === publisher
              ? `${publisher} already holds ${clash.namespace}`
              : `${namespace} overlaps ${clash.namespace}, which ${clash.owner} holds`,
            { details: { namespace, held: clash.namespace, owner: clash.owner } },
          );
        }
        await query(`insert into ${table('namespaces')} (namespace, publisher_id) values ($1, $2)`, [
          namespace,
          id,
        ]);
        await directory.audit({
          actor,
          action: 'namespace.grant',
          subject: namespace,
          details: { publisher },
        });
      }),
    revokeNamespace: (publisher, namespace, actor) =>
      database.transaction(async () => {
        requireNamespace(namespace);
        const id = await publisherId(publisher);
        const rows = await query(
          `delete from ${table('namespaces')} where namespace = $1 and publisher_id = $2 returning namespace`,
          [namespace, id],
        );
        if (rows.length === 0) {
          throw new PluginError('NOT_FOUND', `${publisher} does not hold ${namespace}`, {
            details: { publisher, namespace },
          });
        }
        await directory.audit({
          actor,
          action: 'namespace.revoke',
          subject: namespace,
          details: { publisher },
        });
      }),
    createToken: (publisher, options, actor) =>
      database.transaction(async () => {
        const scopes = requireScopes(options.scopes);
        const note = options.note ?? '';
        if (note.length > 200)
          throw new PluginError('INVALID_ARGUMENT', 'a token note is at most 200 characters');
        if (options.expiresAt !== undefined && !(options.expiresAt.getTime() > Date.now())) {
          throw new PluginError('INVALID_ARGUMENT', 'a token must expire in the future');
        }
        const id = await publisherId(publisher);
        const made = createApiToken();
        await query(
          `insert into ${table('tokens')} (id, publisher_id, secret_sha256, scopes, note, expires_at) values ($1, $2, $3, $4, $5, $6)`,
          [made.id, id, made.secretSha256, scopes, note, options.expiresAt?.toISOString() ?? null],
        );
        await directory.audit({
          actor,
          action: 'token.create',
          subject: made.id,
          details: { publisher, scopes, expiresAt: options.expiresAt?.toISOString() ?? null },
        });
        return { id: made.id, token: made.token };
      }),
    revokeToken: (tokenId, actor) =>
      database.transaction(async () => {
        const rows = await query<{ publisher: string }>(
          `update ${table('tokens')} t set revoked_at = now() from ${table('publishers')} p
           where t.id = $1 and t.revoked_at is null and p.id = t.publisher_id returning p.name as publisher`,
          [tokenId],
        );
        const row = rows[0];
        if (row === undefined) throw new PluginError('NOT_FOUND', `no active token ${tokenId.slice(0, 32)}`);
        await directory.audit({
          actor,
          action: 'token.revoke',
          subject: tokenId,
          details: { publisher: row.publisher },
        });
      }),
    async listPublishers() {
      const publishers = await query<{ id: number; name: string; created_at: string }>(
        `select id::float8 as id, name, ${iso('created_at')} as created_at from ${table('publishers')} order by name`,
      );
      const namespaces = await query<{ publisher_id: number; namespace: string }>(
        `select publisher_id::float8 as publisher_id, namespace from ${table('namespaces')} order by namespace`,
      );
      const tokens = await query<{
        publisher_id: number;
        id: string;
        scopes: TokenScope[];
        note: string;
        created_at: string;
        expires_at: string | null;
        revoked_at: string | null;
      }>(
        `select publisher_id::float8 as publisher_id, id, scopes, note, ${iso('created_at')} as created_at,
           ${iso('expires_at')} as expires_at, ${iso('revoked_at')} as revoked_at
         from ${table('tokens')} order by created_at, id`,
      );
      return publishers.map((publisher) => ({
        name: publisher.name,
        createdAt: publisher.created_at,
        namespaces: namespaces.filter((row) => row.publisher_id === publisher.id).map((row) => row.namespace),
        tokens: tokens
          .filter((row) => row.publisher_id === publisher.id)
          .map((row) => ({
            id: row.id,
            scopes: row.scopes,
            note: row.note,
            createdAt: row.created_at,
            expiresAt: row.expires_at,
            revokedAt: row.revoked_at,
          })),
      }));
    },
    async authenticate(tokenText) {
      const refused = new PluginError(
        'UNAUTHORIZED',
        'a valid, unexpired, unrevoked publisher token is required',
      );
      const parsed = parseApiToken(tokenText);
      if (parsed === undefined) throw refused;
      const rows = await query<{
        publisher_id: number;
        publisher: string;
        secret_sha256: Uint8Array;
        scopes: TokenScope[];
        usable: boolean;
      }>(
        `select t.publisher_id::float8 as publisher_id, p.name as publisher, t.secret_sha256, t.scopes,
           (t.revoked_at is null and (t.expires_at is null or t.expires_at > now())) as usable
         from ${table('tokens')} t join ${table('publishers')} p on p.id = t.publisher_id where t.id = $1`,
        [parsed.id],
      );
      const row = rows[0];
      if (row === undefined || !secretMatches(parsed.secret, row.secret_sha256) || !row.usable) throw refused;
      return {
        publisherId: row.publisher_id,
        publisher: row.publisher,
        tokenId: parsed.id,
        scopes: row.scopes,
      };
    },
    async authorize(principal, scope, pluginId) {
      if (!principal.scopes.includes(scope)) {
        throw new PluginError(
          'FORBIDDEN',
          `this token may not ${scope} (its scopes: ${principal.scopes.join(', ')})`,
          {
            details: { scope, scopes: principal.scopes },
          },
        );
      }
      if (scope === 'rate') return;
      const rows = await query<{ namespace: string }>(
        `select namespace from ${table('namespaces')} where publisher_id = $1`,
        [principal.publisherId],
      );
      if (!rows.some((row) => namespaceCovers(row.namespace, pluginId))) {
        throw new PluginError('FORBIDDEN', `${principal.publisher} owns no namespace covering ${pluginId}`, {
          details: { publisher: principal.publisher, pluginId, namespaces: rows.map((row) => row.namespace) },
        });
      }
    },
    async audit(entries) {
      const list: readonly AuditInput[] = Array.isArray(entries) ? entries : [entries as AuditInput];
      if (list.length === 0) return;
      // Five arrays, one parameter each, so a round of any size is one statement; `with ordinality`
      // keeps the given order in the log's ids.
      await query(
        `insert into ${table('audit_log')} (actor, action, subject, address, details)
         select actor, action, subject, address, details::jsonb
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) with ordinality
           as given (actor, action, subject, address, details, position)
         order by position`,
        [
          list.map((entry) => entry.actor.name),
          list.map((entry) => entry.action),
          list.map((entry) => entry.subject),
          list.map((entry) => entry.actor.address),
          list.map((entry) => JSON.stringify(entry.details ?? {})),
        ],
      );
    },
    async readAudit(options = {}) {
      const limit = Math.min(Math.max(Math.trunc(options.limit ?? 100), 1), 10_000);
      const rows = await query<{
        id: number;
        at: string;
        actor: string;
        action: string;
        subject: string;
        address: string;
        details: Record<string, unknown> | string;
      }>(
        `select id::float8 as id, ${iso('at')} as at, actor, action, subject, address, details
         from ${table('audit_log')} order by id desc limit $1`,
        [limit],
      );
      return rows.map((row) => ({
        ...row,
        details:
          typeof row.details === 'string'
            ? (JSON.parse(row.details) as Record<string, unknown>)
            : row.details,
      }));
    },
  };
  return directory;
}
