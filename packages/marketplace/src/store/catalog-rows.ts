import { PERMISSION_KINDS, PluginError, type PluginPermissions, parseUntrustedJson } from '@agentplug/models';
import type { IndexPluginEntry, Revocation, TargetsVersionEntry } from '@agentplug/registry-client/protocol';
import type { SqlDatabase } from '../sql/sql-database';
import type { Catalog } from './catalog';

/**
 * The catalog as SQL rows: a row per plugin, per version and per permission. The service writes the
 * rows of each plugin it signs in the transaction that stores its signed targets, so the rows and
 * the signed metadata never disagree; an instance loads its catalog from them (a few statements,
 * whatever the catalog's size) instead of parsing every plugin's targets.
 */
export interface CatalogRows {
  /** Replaces the rows of each plugin given: its search fields, every version and its permissions. */
  write(entries: readonly IndexPluginEntry[]): Promise<void>;
  /**
   * The plugins named (default all) from their rows, counters at zero.
   * @throws PluginError INVALID_ARGUMENT when a row's JSON column is unreadable
   */
  read(pluginIds?: readonly string[]): Promise<Catalog>;
  /** How many plugins have rows. */
  count(): Promise<number>;
}

interface PluginRow {
  plugin_id: string;
  name: string;
  description: string;
  plugin_type: IndexPluginEntry['plugin_type'];
  tags: string[];
  author: string;
}

interface VersionRow {
  plugin_id: string;
  version: string;
  dependencies: string;
  min_runtime_version: string;
  max_runtime_version: string;
  security_score: number;
  risk_level: TargetsVersionEntry['risk_level'];
  sha256: string;
  size: number;
  published_at: string;
  yanked: boolean;
  revocation: string | null;
  permissions_extra: string;
}

interface PermissionRow {
  plugin_id: string;
  version: string;
  kind: string;
  value: string;
}

/** Plugins written by one statement's arrays (each array is one parameter, so no parameter limit). */
const PLUGINS_PER_WRITE = 500;

function parseColumn(text: string, what: string): unknown {
  return parseUntrustedJson(text, { code: 'INVALID_ARGUMENT', what });
}

/** The catalog rows of a migrated schema (`table` quotes a table name into it). */
export function createCatalogRows(database: SqlDatabase, table: (name: string) => string): CatalogRows {
  const writeChunk = async (entries: readonly IndexPluginEntry[]): Promise<void> => {
    const ids = entries.map((entry) => entry.plugin_id);
    await database.query(
      `insert into ${table('plugins')} (plugin_id, name, description, plugin_type, tags, author)
       select plugin_id, name, description, plugin_type, coalesce(tags, '{}')::text[], author
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         as given (plugin_id, name, description, plugin_type, tags, author)
       on conflict (plugin_id) do update set name = excluded.name, description = excluded.description,
         plugin_type = excluded.plugin_type, tags = excluded.tags, author = excluded.author, updated_at = now()`,
      [
        ids,
        entries.map((entry) => entry.name),
        entries.map((entry) => entry.description),
        entries.map((entry) => entry.plugin_type),
        // One text[] per plugin, carried as its array literal (arrays of arrays must be rectangular).
        entries.map((entry) => toArrayLiteral(entry.tags)),
        entries.map((entry) => entry.author),
      ],
    );
    // A plugin's versions and permissions are replaced whole (the cascade drops the permissions).
    await database.query(`delete from ${table('plugin_versions')} where plugin_id = any($1::text[])`, [ids]);
    const versions = entries.flatMap((entry) =>
      Object.values(entry.versions).map((version) => ({ pluginId: entry.plugin_id, version })),
    );
    if (versions.length === 0) return;
    const column = <T>(pick: (item: (typeof versions)[number]) => T): T[] => versions.map(pick);
    await database.query(
      `insert into ${table('plugin_versions')} (plugin_id, version, dependencies, min_runtime_version,
         max_runtime_version, security_score, risk_level, sha256, size, published_at, yanked, revocation,
         permissions_extra)
       select plugin_id, version, dependencies::jsonb, min_runtime_version, max_runtime_version,
         security_score, risk_level, sha256, size, published_at, yanked, revocation::jsonb, permissions_extra::jsonb
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::text[],
         $8::text[], $9::bigint[], $10::text[], $11::boolean[], $12::text[], $13::text[])
         as given (plugin_id, version, dependencies, min_runtime_version, max_runtime_version, security_score,
           risk_level, sha256, size, published_at, yanked, revocation, permissions_extra)`,
      [
        column((item) => item.pluginId),
        column((item) => item.version.version),
        column((item) => JSON.stringify(item.version.dependencies)),
        column((item) => item.version.min_runtime_version),
        column((item) => item.version.max_runtime_version),
        column((item) => item.version.security_score),
        column((item) => item.version.risk_level),
        column((item) => item.version.sha256),
        column((item) => item.version.size),
        column((item) => item.version.published_at),
        column((item) => item.version.yanked),
        column((item) => {
          const revoked = (item.version as TargetsVersionEntry).revoked;
          return revoked === undefined ? null : JSON.stringify(revoked);
        }),
        column((item) => JSON.stringify(extraPermissions(item.version.permissions))),
      ],
    );
    const permissions = versions.flatMap((item) =>
      PERMISSION_KINDS.flatMap((kind) =>
        (item.version.permissions[kind] ?? []).map((value, position) => ({ item, kind, value, position })),
      ),
    );
    if (permissions.length === 0) return;
    await database.query(
      `insert into ${table('version_permissions')} (plugin_id, version, kind, position, value)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::integer[], $5::text[])`,
      [
        permissions.map((permission) => permission.item.pluginId),
        permissions.map((permission) => permission.item.version.version),
        permissions.map((permission) => permission.kind),
        permissions.map((permission) => permission.position),
        permissions.map((permission) => permission.value),
      ],
    );
  };

  return {
    async write(entries) {
      // One transaction (the caller's when there is one): a reader sees every plugin changed or none.
      await database.transaction(async () => {
        for (let start = 0; start < entries.length; start += PLUGINS_PER_WRITE) {
          await writeChunk(entries.slice(start, start + PLUGINS_PER_WRITE));
        }
      });
    },
    async read(pluginIds) {
      const filter = pluginIds === undefined ? '' : 'where plugin_id = any($1::text[])';
      const parameters = pluginIds === undefined ? [] : [[...pluginIds]];
      const [plugins, versions, permissions] = await database.transaction(
        async () =>
          [
            await database.query<PluginRow>(
              `select plugin_id, name, description, plugin_type, tags, author from ${table('plugins')} ${filter}`,
              parameters,
            ),
            await database.query<VersionRow>(
              `select plugin_id, version, dependencies::text as dependencies, min_runtime_version,
             max_runtime_version, security_score, risk_level, sha256, size::float8 as size, published_at,
             yanked, revocation::text as revocation, permissions_extra::text as permissions_extra
           from ${table('plugin_versions')} ${filter}`,
              parameters,
            ),
            await database.query<PermissionRow>(
              `select plugin_id, version, kind, value from ${table('version_permissions')} ${filter}
           order by plugin_id, version, kind, position`,
              parameters,
            ),
          ] as const,
      );
      const catalog = Object.create(null) as Catalog;
      for (const row of plugins) {
        catalog[row.plugin_id] = {
          plugin_id: row.plugin_id,
          name: row.name,
          description: row.description,
          plugin_type: row.plugin_type,
          tags: [...row.tags],
          author: row.author,
          downloads: 0,
          rating: 0,
          rating_count: 0,
          versions: Object.create(null) as Record<string, TargetsVersionEntry>,
        };
      }
      for (const row of versions) {
        const entry = catalog[row.plugin_id];
        if (entry === undefined) continue;
        const what = `the catalog row of ${row.plugin_id} ${row.version}`;
        const permissions = Object.assign(
          Object.create(null) as Record<string, unknown>,
          parseColumn(row.permissions_extra, what),
        ) as PluginPermissions;
        for (const kind of PERMISSION_KINDS) permissions[kind] = [];
        const version: TargetsVersionEntry = {
          version: row.version,
          dependencies: parseColumn(row.dependencies, what) as TargetsVersionEntry['dependencies'],
          min_runtime_version: row.min_runtime_version,
          max_runtime_version: row.max_runtime_version,
          permissions,
          security_score: row.security_score,
          risk_level: row.risk_level,
          sha256: row.sha256,
          size: row.size,
          published_at: row.published_at,
          yanked: row.yanked,
        };
        if (row.revocation !== null) version.revoked = parseColumn(row.revocation, what) as Revocation;
        entry.versions[row.version] = version;
      }
      for (const row of permissions) {
        const list = catalog[row.plugin_id]?.versions[row.version]?.permissions[row.kind];
        if (!Array.isArray(list)) {
          throw new PluginError(
            'INVALID_ARGUMENT',
            `a permission row of ${row.plugin_id} ${row.version} has no version`,
          );
        }
        list.push(row.value);
      }
      return catalog;
    },
    async count() {
      const rows = await database.query<{ count: number }>(
        `select count(*)::float8 as count from ${table('plugins')}`,
      );
      return rows[0]?.count ?? 0;
    },
  };
}

// Members of a permissions object beyond the five lists (manifests may carry more), kept as JSON.
function extraPermissions(permissions: PluginPermissions): Record<string, unknown> {
  const extra: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(permissions)) {
    if (!(PERMISSION_KINDS as readonly string[]).includes(key)) extra[key] = value;
  }
  return extra;
}

// A PostgreSQL array literal of strings: each element quoted, `"` and `\` escaped.
function toArrayLiteral(values: readonly string[]): string {
  return `{${values.map((value) => `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`;
}
