import { PluginError } from '@agentplug/models';
import pg from 'pg';
import { createSqlDatabase, type SqlDatabase, type SqlQuery } from './sql-database';

/** Options of {@link openPostgresDatabase}. */
export interface OpenPostgresDatabaseOptions {
  /** `postgres://user:password@host:port/database`; the password never appears in messages. */
  connectionString: string;
  /** Connections kept open. Default 10. */
  maxConnections?: number;
  /** How long a statement may run before the server cancels it. Default 30 s. */
  statementTimeoutMs?: number;
}

function describe(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `postgres://${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'postgres (unparsable connection string)';
  }
}

/**
 * Connects to a PostgreSQL server through a pool of `pg` connections (checked with one query, so a
 * wrong address fails here and not at the first request).
 * @throws PluginError UNAVAILABLE when the server cannot be reached or refuses the login
 */
export async function openPostgresDatabase(options: OpenPostgresDatabaseOptions): Promise<SqlDatabase> {
  const location = describe(options.connectionString);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection the server drops must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const query: SqlQuery = async <Row>(text: string, parameters?: readonly unknown[]) =>
    (await pool.query(text, parameters === undefined ? [] : [...parameters])).rows as Row[];
  try {
    await query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new PluginError('UNAVAILABLE', `the PostgreSQL server ${location} cannot be reached`, {
      cause: error,
    });
  }
  return createSqlDatabase({
    engine: 'postgres',
    location,
    query,
    async runTransaction(work) {
      const client = await pool.connect();
      try {
        await client.query('begin');
        // A connection runs one statement at a time. Statements a transaction's work starts side by
        // side (a metadata tree loading its nodes at once) wait their turn here: pg's own queue for
        // them is deprecated and pg 9 refuses such calls.
        let previous: Promise<unknown> = Promise.resolve();
        const result = await work(<Row>(text: string, parameters?: readonly unknown[]) => {
          const statement = previous.then(() =>
            client.query(text, parameters === undefined ? [] : [...parameters]),
          );
          previous = statement.catch(() => undefined);
          return statement.then((answer) => answer.rows as Row[]);
        });
        await previous;
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
}
