import { PluginError } from '@agentplug/models';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/sql/migrate';
import { MIGRATIONS } from '../src/sql/migrations';
import { openPgliteDatabase } from '../src/sql/open-pglite-database';
import { openPostgresDatabase } from '../src/sql/open-postgres-database';
import type { SqlDatabase } from '../src/sql/sql-database';
import { type PostgresCluster, startPostgresCluster } from './helpers/postgres-cluster';

const engines: { name: string; open: () => Promise<SqlDatabase> }[] = [];
let cluster: PostgresCluster | undefined;
let pglite: Promise<SqlDatabase> | undefined;
const opened: SqlDatabase[] = [];
engines.push({
  name: 'pglite',
  open: () => {
    pglite ??= openPgliteDatabase({ directory: undefined });
    return pglite;
  },
});
engines.push({
  name: 'postgres',
  async open() {
    cluster ??= await startPostgresCluster();
    const database = await openPostgresDatabase({ connectionString: await cluster.createDatabase() });
    opened.push(database);
    return database;
  },
});
afterAll(async () => {
  for (const database of opened) await database.close();
  if (pglite !== undefined) await (await pglite).close();
  await cluster?.stop();
}, 120_000);

let counter = 0;
const newest = MIGRATIONS.at(-1)?.id ?? 0;
const nextSchema = () => {
  counter += 1;
  return `migrate_${process.pid}_${counter}`;
};

for (const engine of engines) {
  describe(`migrations on ${engine.name}`, { timeout: 180_000 }, () => {
    it('bring an empty database to the newest schema once, however many instances start at the same time', async () => {
      const database = await engine.open();
      const schema = nextSchema();
      const results = await Promise.all([1, 2, 3].map(() => migrateDatabase(database, { schema })));
      expect(results.flatMap((result) => result.applied).sort()).toEqual(
        MIGRATIONS.map((migration) => migration.id),
      );
      expect(results.map((result) => result.current)).toEqual([newest, newest, newest]);
      expect((await migrateDatabase(database, { schema })).applied).toEqual([]);
    });

    it('upgrade the first schema keeping its data', async () => {
      const database = await engine.open();
      const schema = nextSchema();
      expect(await migrateDatabase(database, { schema, target: 1 })).toEqual({ applied: [1], current: 1 });
      await database.query(`insert into "${schema}".downloads (plugin_id, count) values ($1, $2)`, [
        'com.example.a',
        7,
      ]);
      expect(await migrateDatabase(database, { schema })).toEqual({
        applied: MIGRATIONS.filter((migration) => migration.id > 1).map((migration) => migration.id),
        current: newest,
      });
      expect(
        await database.query(`select plugin_id, count::float8 as count from "${schema}".downloads`),
      ).toEqual([{ plugin_id: 'com.example.a', count: 7 }]);
      expect(await database.query(`select count(*)::int as publishers from "${schema}".publishers`)).toEqual([
        { publishers: 0 },
      ]);
    });

    it('upgrade a schema with the v1 index beside v2: the index tables go, the v2 metadata and reports stay', async () => {
      const database = await engine.open();
      const schema = nextSchema();
      expect(await migrateDatabase(database, { schema, target: 3 })).toEqual({
        applied: [1, 2, 3],
        current: 3,
      });
      await database.query(
        `insert into "${schema}".signed_documents (name, version, body) values ($1, $2, $3)`,
        ['index.json', 5, Buffer.from('{}')],
      );
      await database.query(`insert into "${schema}".metadata_files (path, body) values ($1, $2)`, [
        'v2/timestamp.json',
        Buffer.from('{"kept":true}'),
      ]);
      await database.query(
        `insert into "${schema}".version_documents (plugin_id, version, body) values ($1, $2, $3)`,
        ['com.example.a', '1.0.0', Buffer.from('{}')],
      );
      expect(await migrateDatabase(database, { schema })).toEqual({ applied: [4, 5], current: newest });
      const rows = await database.query<{ body: Uint8Array }>(
        `select body from "${schema}".metadata_files where path = 'v2/timestamp.json'`,
      );
      expect(Buffer.from(rows[0]?.body ?? []).toString()).toBe('{"kept":true}');
      expect(
        await database.query(`select count(*)::int as reports from "${schema}".version_documents`),
      ).toEqual([{ reports: 1 }]);
      expect(
        await database.query(
          `select to_regclass($1) is null as index_gone, to_regclass($2) is null as versions_gone`,
          [`"${schema}".signed_documents`, `"${schema}".index_versions`],
        ),
      ).toEqual([{ index_gone: true, versions_gone: true }]);
    });

    it('refuse a schema newer than this code with CONFLICT, and a bad schema name with INVALID_ARGUMENT, changing nothing', async () => {
      const database = await engine.open();
      const schema = nextSchema();
      await migrateDatabase(database, { schema });
      await database.query(
        `insert into "${schema}".schema_migrations (id, name) values (99, 'from the future')`,
      );
      const newer = await migrateDatabase(database, { schema }).catch((error: unknown) => error);
      expect(PluginError.is(newer, 'CONFLICT')).toBe(true);
      for (const bad of ['Agentplug', 'a-b', 'x; drop schema public', '', 'a'.repeat(49)]) {
        const refused = await migrateDatabase(database, { schema: bad }).catch((error: unknown) => error);
        expect(PluginError.is(refused, 'INVALID_ARGUMENT'), bad).toBe(true);
      }
    });
  });
}
