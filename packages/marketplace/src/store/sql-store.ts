import { PluginError } from '@agentplug/models';
import { isMetadataPath, METADATA_PATH } from '@agentplug/registry-client/protocol';
import { DEFAULT_SCHEMA, quoteSchema } from '../sql/migrate';
import type { SqlDatabase } from '../sql/sql-database';
import type { BlobFolder } from './blob-folder';
import { createCatalogRows } from './catalog-rows';
import type { MarketplaceStats, RatingTotal } from './marketplace-stats';
import type { MarketplaceStore, StoredArchive } from './marketplace-store';

/** A consistent snapshot's path: written once, never replaced. */
const SNAPSHOT_PATH = new RegExp(`^${METADATA_PATH}/snapshot/[0-9]+\\.json$`);

/** Rows written by one statement (three parameters at most each, far below PostgreSQL's 65,535). */
const ROWS_PER_STATEMENT = 500;

// One statement cannot write a key twice (`on conflict` would touch a row twice): the last one wins.
function dedupeBy<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(keyOf(item), item);
  return [...byKey.values()];
}

// `($1, $2, $3), ($4, $5, $6), ...`: the values list of `rows` rows of `columns` parameters.
function placeholders(rows: number, columns: number): string {
  return Array.from(
    { length: rows },
    (_, row) =>
      `(${Array.from({ length: columns }, (_, column) => `$${row * columns + column + 1}`).join(', ')})`,
  ).join(', ');
}

/** Options of {@link createSqlStore}. */
export interface SqlStoreOptions {
  /** A migrated database (`migrateDatabase`). */
  database: SqlDatabase;
  /** Where archive bytes live, by sha256; instances sharing a database share this folder too. */
  blobs: BlobFolder;
  /** Default `agentplug`. */
  schema?: string;
}

interface ArchiveRow {
  file_name: string;
  sha256: string;
  size: string | number;
  stored_at: string;
}

// Timestamps leave the database as ISO 8601 in UTC, the same text on both engines.
const ISO = `'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'`;

/**
 * A store in SQL (PGlite or PostgreSQL, one schema): the signed v2 metadata (each snapshot
 * version written once), archives by name over a content-addressed blob folder, counters and per-rater ratings.
 * `exclusive` is one transaction holding a lock every instance on the database takes, so several
 * servers on one PostgreSQL sign strictly increasing snapshot versions and lose no publish.
 * @throws PluginError INVALID_ARGUMENT (a bad schema name)
 */
export function createSqlStore(options: SqlStoreOptions): MarketplaceStore {
  const { database, blobs } = options;
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const table = (name: string): string => `${quoteSchema(schema)}.${name}`;

  const toArchive = (row: ArchiveRow): StoredArchive => ({
    fileName: row.file_name,
    size: Number(row.size),
    storedAt: row.stored_at,
    read: () => blobs.read(row.sha256),
    stream: () => blobs.stream(row.sha256),
  });
  const archiveColumns = `file_name, sha256, size::float8 as size, to_char(stored_at at time zone 'UTC', ${ISO}) as stored_at`;

  return {
    location: `${database.location} (schema ${schema}; archives in ${blobs.directory})`,
    catalogRows: createCatalogRows(database, table),
    async listArchives() {
      const rows = await database.query<ArchiveRow>(
        `select ${archiveColumns} from ${table('archives')} order by file_name`,
      );
      return rows.map(toArchive);
    },
    async openArchive(fileName, listed) {
      if (listed !== undefined) {
        // The catalog pins the bytes by sha256 and the blob folder keeps bytes by sha256: no lookup.
        const size = await blobs.size(listed.sha256);
        return size === undefined
          ? undefined
          : toArchive({ file_name: fileName, sha256: listed.sha256, size, stored_at: listed.publishedAt });
      }
      const rows = await database.query<ArchiveRow>(
        `select ${archiveColumns} from ${table('archives')} where file_name = $1`,
        [fileName],
      );
      const row = rows[0];
      // A row whose blob is missing (a blob folder not shared, or cleaned) is no archive.
      if (row === undefined || (await blobs.size(row.sha256)) === undefined) return undefined;
      return toArchive(row);
    },
    async writeArchives(archives) {
      if (archives.length === 0) return;
      // The blobs first: a rolled-back transaction leaves unreferenced blobs, never a row without bytes.
      const rows = await Promise.all(
        archives.map(async ({ fileName, archive }) => ({
          fileName,
          sha256: await blobs.write(archive),
          size: archive.length,
        })),
      );
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const chunk = dedupeBy(rows.slice(start, start + ROWS_PER_STATEMENT), (row) => row.fileName);
        await database.query(
          `insert into ${table('archives')} (file_name, sha256, size) values ${placeholders(chunk.length, 3)}
           on conflict (file_name) do update set sha256 = excluded.sha256, size = excluded.size, stored_at = now()`,
          chunk.flatMap((row) => [row.fileName, row.sha256, row.size]),
        );
      }
    },
    async prepareArchive(archive) {
      await blobs.write(archive);
    },
    async readMetadata(path) {
      if (!isMetadataPath(path)) return undefined;
      const rows = await database.query<{ body: Uint8Array }>(
        `select body from ${table('metadata_files')} where path = $1`,
        [path],
      );
      return rows[0] === undefined ? undefined : Buffer.from(rows[0].body);
    },
    async writeMetadata(files) {
      for (const file of files) {
        if (!isMetadataPath(file.path)) {
          throw new PluginError('INVALID_ARGUMENT', `${JSON.stringify(file.path)} is not a metadata path`);
        }
      }
      // One transaction: a reader sees the whole batch or none of it. Many rows per statement: a
      // round of publishes writes hundreds of targets files, and each statement is a round trip.
      await database.transaction(async () => {
        // A snapshot version is signed once, by one instance: the primary key refuses a second.
        for (const file of files.filter((candidate) => SNAPSHOT_PATH.test(candidate.path))) {
          const inserted = await database.query(
            `insert into ${table('metadata_files')} (path, body) values ($1, $2) on conflict do nothing returning path`,
            [file.path, file.bytes],
          );
          if (inserted.length === 0) {
            throw new PluginError('CONFLICT', `${file.path} was already signed`, {
              details: { path: file.path },
            });
          }
        }
        const rest = files.filter((file) => !SNAPSHOT_PATH.test(file.path));
        for (let start = 0; start < rest.length; start += ROWS_PER_STATEMENT) {
          const chunk = dedupeBy(rest.slice(start, start + ROWS_PER_STATEMENT), (file) => file.path);
          await database.query(
            `insert into ${table('metadata_files')} (path, body) values ${placeholders(chunk.length, 2)}
             on conflict (path) do update set body = excluded.body, written_at = now()`,
            chunk.flatMap((file) => [file.path, file.bytes]),
          );
        }
      });
    },
    async readVersionDocument(pluginId, version) {
      const rows = await database.query<{ body: Uint8Array }>(
        `select body from ${table('version_documents')} where plugin_id = $1 and version = $2`,
        [pluginId, version],
      );
      return rows[0] === undefined ? undefined : Buffer.from(rows[0].body);
    },
    async writeVersionDocuments(documents) {
      for (let start = 0; start < documents.length; start += ROWS_PER_STATEMENT) {
        const chunk = dedupeBy(
          documents.slice(start, start + ROWS_PER_STATEMENT),
          (document) => `${document.pluginId}\n${document.version}`,
        );
        await database.query(
          `insert into ${table('version_documents')} (plugin_id, version, body) values ${placeholders(chunk.length, 3)}
           on conflict (plugin_id, version) do update set body = excluded.body, written_at = now()`,
          chunk.flatMap((document) => [document.pluginId, document.version, document.document]),
        );
      }
    },
    async readStats() {
      const stats: MarketplaceStats = { downloads: Object.create(null), ratings: Object.create(null) };
      const downloads = await database.query<{ plugin_id: string; count: number }>(
        `select plugin_id, count::float8 as count from ${table('downloads')}`,
      );
      for (const row of downloads) stats.downloads[row.plugin_id] = row.count;
      const ratings = await database.query<{ plugin_id: string; sum: number; count: number }>(
        `select plugin_id, sum(rating)::float8 as sum, count(*)::float8 as count from ${table('ratings')} group by plugin_id`,
      );
      for (const row of ratings) stats.ratings[row.plugin_id] = { sum: row.sum, count: row.count };
      return stats;
    },
    async addDownloads(counts) {
      const entries = Object.entries(counts).filter(([, count]) => count > 0);
      if (entries.length === 0) return;
      await database.query(
        `insert into ${table('downloads')} (plugin_id, count)
         select * from unnest($1::text[], $2::bigint[])
         on conflict (plugin_id) do update set count = ${table('downloads')}.count + excluded.count`,
        [entries.map(([pluginId]) => pluginId), entries.map(([, count]) => count)],
      );
    },
    async addRating(pluginId, rater, rating) {
      return database.transaction(async () => {
        await database.query(
          `insert into ${table('ratings')} (plugin_id, rater, rating) values ($1, $2, $3)
           on conflict (plugin_id, rater) do update set rating = excluded.rating, rated_at = now()`,
          [pluginId, rater, rating],
        );
        const rows = await database.query<RatingTotal>(
          `select coalesce(sum(rating), 0)::float8 as sum, count(*)::float8 as count from ${table('ratings')} where plugin_id = $1`,
          [pluginId],
        );
        return rows[0] ?? { sum: 0, count: 0 };
      });
    },
    attempt: (work) => database.savepoint(work),
    exclusive: (work) =>
      database.transaction(async () => {
        await database.query('select pg_advisory_xact_lock(hashtext($1))', [`agentplug-catalog:${schema}`]);
        return work();
      }),
    close: async () => undefined,
  };
}
