import { PluginError } from '@agentplug/models';
import { MIGRATIONS, type Migration } from './migrations';
import type { SqlDatabase } from './sql-database';

/** The schema a store uses when none is named. */
export const DEFAULT_SCHEMA = 'agentplug';

/**
 * Checks a schema name (a fixed identifier, since a schema cannot be a statement parameter) and
 * quotes it for SQL text.
 * @throws PluginError INVALID_ARGUMENT unless lower-case letters, digits and underscores, at most 48
 */
export function quoteSchema(schema: string): string {
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `"${schema}" is not a schema name: use lower-case letters, digits and _ (at most 48)`,
    );
  }
  return `"${schema}"`;
}

/** Options of {@link migrateDatabase}. */
export interface MigrateDatabaseOptions {
  schema?: string;
  /** Apply only up to this migration id (tests that start from an earlier schema). Default: all. */
  target?: number;
  /** The list to apply; default the package's {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
}

/** What {@link migrateDatabase} did. */
export interface MigrateDatabaseResult {
  /** Migration ids applied by this call, in order. */
  applied: number[];
  /** The newest migration id the schema now has. */
  current: number;
}

/**
 * Brings a schema up to date: creates it when missing and applies every migration it lacks, each in
 * one transaction under a lock, so several instances starting at once apply each step once.
 * @throws PluginError CONFLICT when the schema is newer than this code (a newer release migrated it)
 */
export async function migrateDatabase(
  database: SqlDatabase,
  options: MigrateDatabaseOptions = {},
): Promise<MigrateDatabaseResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const quoted = quoteSchema(schema);
  const migrations = options.migrations ?? MIGRATIONS;
  const target = options.target ?? migrations.at(-1)?.id ?? 0;
  const applied: number[] = [];
  const known = new Set(migrations.map((migration) => migration.id));
  return database.transaction(async () => {
    // One lock per schema for the whole run: a second instance waits, then finds nothing to do.
    await database.query('select pg_advisory_xact_lock(hashtext($1))', [`agentplug-migrate:${schema}`]);
    await database.query(`create schema if not exists ${quoted}`);
    await database.query(
      `create table if not exists ${quoted}.schema_migrations (
        id integer primary key,
        name text not null,
        applied_at timestamptz not null default now()
      )`,
    );
    const rows = await database.query<{ id: number }>(`select id from ${quoted}.schema_migrations`);
    const done = new Set(rows.map((row) => row.id));
    const unknown = [...done].filter((id) => !known.has(id));
    if (unknown.length > 0) {
      throw new PluginError(
        'CONFLICT',
        `the database schema ${schema} has migration ${Math.max(...unknown)}, newer than this marketplace knows`,
        { details: { schema, unknown } },
      );
    }
    for (const migration of migrations) {
      if (migration.id > target || done.has(migration.id)) continue;
      for (const statement of migration.statements) {
        await database.query(statement.replaceAll('{schema}', quoted));
      }
      await database.query(`insert into ${quoted}.schema_migrations (id, name) values ($1, $2)`, [
        migration.id,
        migration.name,
      ]);
      applied.push(migration.id);
    }
    const current = Math.max(0, ...done, ...applied);
    return { applied, current };
  });
}
