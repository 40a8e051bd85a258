import { afterAll, describe, expect, it } from 'vitest';
import { openPgliteDatabase } from '../src/sql/open-pglite-database';
import { openPostgresDatabase } from '../src/sql/open-postgres-database';
import type { SqlDatabase } from '../src/sql/sql-database';
import { type PostgresCluster, startPostgresCluster } from './helpers/postgres-cluster';

let cluster: PostgresCluster | undefined;
const opened: SqlDatabase[] = [];
const engines: { name: string; open: () => Promise<SqlDatabase> }[] = [
  {
    name: 'pglite',
    async open() {
      const database = await openPgliteDatabase({ directory: undefined });
      opened.push(database);
      return database;
    },
  },
  {
    name: 'postgres',
    async open() {
      cluster ??= await startPostgresCluster();
      const database = await openPostgresDatabase({ connectionString: await cluster.createDatabase() });
      opened.push(database);
      return database;
    },
  },
];
afterAll(async () => {
  for (const database of opened) await database.close();
  await cluster?.stop();
}, 120_000);

for (const engine of engines) {
  describe(`a transaction on ${engine.name}`, { timeout: 180_000 }, () => {
    it('runs statements started side by side one at a time on its connection, each with its own answer, and no driver warning', async () => {
      const database = await engine.open();
      await database.query('create table side_by_side (n integer primary key)');
      const warnings: string[] = [];
      const onWarning = (warning: Error) => warnings.push(warning.message);
      process.on('warning', onWarning);
      try {
        const answers = await database.transaction(() =>
          Promise.all(
            Array.from({ length: 40 }, async (_, index) => {
              await database.query('insert into side_by_side (n) values ($1)', [index]);
              return database.query<{ n: number }>('select $1::integer as n', [index]);
            }),
          ),
        );
        expect(answers.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 40 }, (_, index) => index));
        expect(
          (await database.query<{ count: string }>('select count(*) as count from side_by_side'))[0]?.count,
        ).toBe(engine.name === 'postgres' ? '40' : 40);
        // Warnings are emitted on the next tick.
        await new Promise((resolve) => setImmediate(resolve));
        expect(warnings).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    });

    it('rolls back every statement of the transaction when one started side by side fails', async () => {
      const database = await engine.open();
      await database.query('create table all_or_nothing (n integer primary key)');
      await expect(
        database.transaction(() =>
          Promise.all([
            database.query('insert into all_or_nothing (n) values (1)'),
            database.query('insert into all_or_nothing (n) values (2)'),
            database.query('insert into all_or_nothing (n) values (1)'),
          ]),
        ),
      ).rejects.toThrow();
      expect(await database.query('select n from all_or_nothing')).toEqual([]);
    });
  });
}
