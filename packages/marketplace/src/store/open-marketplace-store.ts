import { join } from 'node:path';
import { migrateDatabase } from '../sql/migrate';
import { openPgliteDatabase } from '../sql/open-pglite-database';
import { openPostgresDatabase } from '../sql/open-postgres-database';
import type { SqlDatabase } from '../sql/sql-database';
import { openBlobFolder } from './blob-folder';
import { createFolderStore } from './folder-store';
import type { MarketplaceStore } from './marketplace-store';
import { createSqlStore } from './sql-store';

/**
 * Where a marketplace keeps its catalog: `folder` (the static layout, one process), `pglite` (an
 * embedded PostgreSQL in `<store>/database`, one process, nothing to install), `postgres` (a server
 * several instances share), or `sql` (a database already opened, which the caller closes).
 */
export type MarketplaceDatabaseOptions =
  | { engine: 'folder' }
  | { engine: 'pglite'; directory?: string; schema?: string }
  | { engine: 'postgres'; url: string; maxConnections?: number; schema?: string }
  | { engine: 'sql'; database: SqlDatabase; schema?: string };

/** An opened store, with its database when it has one. */
export interface OpenedMarketplaceStore {
  store: MarketplaceStore;
  /** The SQL database (publishers, tokens and audit live there too); undefined for a folder. */
  database: SqlDatabase | undefined;
  schema: string | undefined;
  /** Closes the store, and the database when this call opened it. */
  close(): Promise<void>;
}

/**
 * Opens the store a server runs on: the folder store, or the SQL store over a migrated database with
 * archives in `<storeDirectory>/blobs` (content-addressed; instances on one PostgreSQL share it).
 * @throws PluginError UNAVAILABLE (the database cannot be opened or reached), CONFLICT (its schema is newer than this code)
 */
export async function openMarketplaceStore(
  storeDirectory: string,
  options: MarketplaceDatabaseOptions,
): Promise<OpenedMarketplaceStore> {
  if (options.engine === 'folder') {
    const store = await createFolderStore(storeDirectory);
    return { store, database: undefined, schema: undefined, close: () => store.close() };
  }
  const owned = options.engine !== 'sql';
  const database =
    options.engine === 'sql'
      ? options.database
      : options.engine === 'pglite'
        ? await openPgliteDatabase({ directory: options.directory ?? join(storeDirectory, 'database') })
        : await openPostgresDatabase({
            connectionString: options.url,
            ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
          });
  try {
    await migrateDatabase(database, options.schema === undefined ? {} : { schema: options.schema });
    const blobs = await openBlobFolder(join(storeDirectory, 'blobs'));
    const store = createSqlStore({
      database,
      blobs,
      ...(options.schema === undefined ? {} : { schema: options.schema }),
    });
    return {
      store,
      database,
      schema: options.schema,
      close: async () => {
        await store.close();
        if (owned) await database.close();
      },
    };
  } catch (error) {
    if (owned) await database.close().catch(() => undefined);
    throw error;
  }
}
