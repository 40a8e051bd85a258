import { mkdir } from 'node:fs/promises';
import { PluginError } from '@agentplug/models';
import { PGlite } from '@electric-sql/pglite';
import { createSqlDatabase, type SqlDatabase, type SqlQuery } from './sql-database';

/** Options of {@link openPgliteDatabase}. */
export interface OpenPgliteDatabaseOptions {
  /** The folder holding the database files; undefined keeps the database in memory. */
  directory: string | undefined;
  /** A data folder dump (`PGlite#dumpDataDir`) to start an empty folder from, skipping initdb. */
  initialData?: Blob | File;
}

/**
 * Opens the embedded PostgreSQL (PGlite, WebAssembly) in a folder, creating it when missing. One
 * process owns the folder at a time; several instances need a PostgreSQL server instead.
 * @throws PluginError UNAVAILABLE when the folder cannot be opened (another process holds it, or it is damaged)
 */
export async function openPgliteDatabase(options: OpenPgliteDatabaseOptions): Promise<SqlDatabase> {
  if (options.directory !== undefined) await mkdir(options.directory, { recursive: true });
  let database: PGlite;
  try {
    database = await PGlite.create({
      ...(options.directory === undefined ? {} : { dataDir: options.directory }),
      ...(options.initialData === undefined ? {} : { loadDataDir: options.initialData }),
    });
  } catch (error) {
    throw new PluginError(
      'UNAVAILABLE',
      `the embedded database in ${options.directory ?? 'memory'} cannot be opened`,
      { cause: error },
    );
  }
  const query: SqlQuery = async <Row>(text: string, parameters?: readonly unknown[]) =>
    (await database.query<Row>(text, parameters === undefined ? [] : [...parameters])).rows;
  return createSqlDatabase({
    engine: 'pglite',
    location: options.directory ?? 'memory',
    query,
    // PGlite has one connection: its transaction holds a lock that queries outside it wait for.
    runTransaction: (work) =>
      database.transaction((transaction) =>
        work(
          async <Row>(text: string, parameters?: readonly unknown[]) =>
            (await transaction.query<Row>(text, parameters === undefined ? [] : [...parameters])).rows,
        ),
      ),
    close: () => database.close(),
  });
}
