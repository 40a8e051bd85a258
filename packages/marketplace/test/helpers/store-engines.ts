// Opens marketplace stores on each engine for tests: a folder, the embedded PGlite, a PostgreSQL
// server. One PGlite per test file (its first start runs initdb, which is slow), one schema per store.
import { join } from 'node:path';
import { createTemporaryFolder } from '../../../registry-client/test/helpers/plugin-fixtures';
import { migrateDatabase } from '../../src/sql/migrate';
import { openPgliteDatabase } from '../../src/sql/open-pglite-database';
import { openPostgresDatabase } from '../../src/sql/open-postgres-database';
import type { SqlDatabase } from '../../src/sql/sql-database';
import { openBlobFolder } from '../../src/store/blob-folder';
import { createFolderStore } from '../../src/store/folder-store';
import type { MarketplaceStore } from '../../src/store/marketplace-store';
import { createSqlStore } from '../../src/store/sql-store';
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster';

/** A store under test and what the engine can do beyond the contract. */
export interface StoreFixture {
  store: MarketplaceStore;
  /** Another store over the same data, as a second instance opens it; undefined for one-process engines. */
  openSibling: (() => Promise<MarketplaceStore>) | undefined;
  /** True when a rater's second rating replaces the first. */
  keepsRaters: boolean;
  /** True when a failed `exclusive` undoes the store writes made in it. */
  rollsBack: boolean;
  /** The migrated database and schema of a SQL store (a server can be opened on them). */
  sql: { database: SqlDatabase; schema: string } | undefined;
}

/** One engine: opens fresh stores, and releases everything it opened. */
export interface StoreEngine {
  name: 'folder' | 'pglite' | 'postgres';
  open(): Promise<StoreFixture>;
  release(): Promise<void>;
}

let schemaCounter = 0;
const nextSchema = (): string => {
  schemaCounter += 1;
  return `test_${process.pid}_${schemaCounter}`;
};

/** The folder store. */
export function folderEngine(): StoreEngine {
  return {
    name: 'folder',
    async open() {
      const store = await createFolderStore(join(await createTemporaryFolder(), 'store'));
      return { store, openSibling: undefined, keepsRaters: false, rollsBack: false, sql: undefined };
    },
    release: async () => undefined,
  };
}

/** The SQL store on one in-memory PGlite shared by the file's tests, a schema each. */
export function pgliteEngine(): StoreEngine {
  let database: Promise<SqlDatabase> | undefined;
  return {
    name: 'pglite',
    async open() {
      database ??= openPgliteDatabase({ directory: undefined });
      const opened = await database;
      const schema = nextSchema();
      await migrateDatabase(opened, { schema });
      const blobs = await openBlobFolder(join(await createTemporaryFolder(), 'blobs'));
      return {
        store: createSqlStore({ database: opened, blobs, schema }),
        openSibling: async () => createSqlStore({ database: opened, blobs, schema }),
        keepsRaters: true,
        rollsBack: true,
        sql: { database: opened, schema },
      };
    },
    async release() {
      if (database !== undefined) await (await database).close();
    },
  };
}

/** The SQL store on a throwaway PostgreSQL cluster: a database per file, a schema per store, a pool per instance. */
export function postgresEngine(): StoreEngine {
  let cluster: Promise<PostgresCluster> | undefined;
  let url: Promise<string> | undefined;
  const opened: SqlDatabase[] = [];
  const connect = async (): Promise<SqlDatabase> => {
    const database = await openPostgresDatabase({ connectionString: await (url as Promise<string>) });
    opened.push(database);
    return database;
  };
  return {
    name: 'postgres',
    async open() {
      cluster ??= startPostgresCluster();
      url ??= cluster.then((running) => running.createDatabase());
      const database = await connect();
      const schema = nextSchema();
      await migrateDatabase(database, { schema });
      const blobs = await openBlobFolder(join(await createTemporaryFolder(), 'blobs'));
      return {
        store: createSqlStore({ database, blobs, schema }),
        openSibling: async () => createSqlStore({ database: await connect(), blobs, schema }),
        keepsRaters: true,
        rollsBack: true,
        sql: { database, schema },
      };
    },
    async release() {
      for (const database of opened.splice(0)) await database.close();
      if (cluster === undefined) return;
      const running = await cluster;
      if (url !== undefined) await running.dropDatabase(await url);
      await running.stop();
    },
  };
}
