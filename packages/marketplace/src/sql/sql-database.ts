import { AsyncLocalStorage } from 'node:async_hooks';

/** Runs one parameterized statement and answers its rows. */
export type SqlQuery = <Row = Record<string, unknown>>(
  text: string,
  parameters?: readonly unknown[],
) => Promise<Row[]>;

/** Which engine a database runs on. */
export type SqlEngine = 'pglite' | 'postgres';

/**
 * One SQL database, embedded (PGlite) or a PostgreSQL server, behind the few calls the stores
 * make. Statements take `$1` parameters only: no value is ever spliced into SQL text. A query made
 * while `transaction` runs in the same async context belongs to that transaction.
 */
export interface SqlDatabase {
  readonly engine: SqlEngine;
  /** Where the data lives, for messages (a folder, a database name; never a password). */
  readonly location: string;
  query: SqlQuery;
  /**
   * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Nested
   * calls join the outer transaction.
   */
  transaction<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Inside a transaction, runs `work` behind a savepoint: when it throws, what it wrote is rolled
   * back and the transaction goes on (one refused item of a batch leaves the others). Outside a
   * transaction it is `transaction`.
   */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** What an engine adapter gives {@link createSqlDatabase}: a query outside and a way to open a transaction. */
export interface SqlConnectionSource {
  engine: SqlEngine;
  location: string;
  query: SqlQuery;
  /** Opens a transaction and hands `work` the query that runs inside it. */
  runTransaction<T>(work: (query: SqlQuery) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Wraps an engine adapter so queries find their transaction through the async context, which lets
 * a store and a publisher directory on one database share a transaction without passing it around.
 */
export function createSqlDatabase(source: SqlConnectionSource): SqlDatabase {
  const current = new AsyncLocalStorage<SqlQuery>();
  return {
    engine: source.engine,
    location: source.location,
    query: (text, parameters) => (current.getStore() ?? source.query)(text, parameters),
    transaction(work) {
      if (current.getStore() !== undefined) return work();
      return source.runTransaction((query) => current.run(query, work));
    },
    async savepoint(work) {
      const query = current.getStore();
      if (query === undefined) return source.runTransaction((inner) => current.run(inner, work));
      // Savepoints of one name nest: each release or rollback names the newest one.
      await query('savepoint agentplug_item');
      try {
        const result = await work();
        await query('release savepoint agentplug_item');
        return result;
      } catch (error) {
        await query('rollback to savepoint agentplug_item');
        await query('release savepoint agentplug_item');
        throw error;
      }
    },
    close: () => source.close(),
  };
}
