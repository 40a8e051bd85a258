/** One step of the schema: applied once, in order, in one transaction with its bookkeeping row. */
export interface Migration {
  id: number;
  name: string;
  /** Statements with `{schema}` where the schema's quoted name goes. */
  statements: readonly string[];
}

/**
 * The one schema both engines run, as an append-only list: a released migration is never edited;
 * a change is a new migration at the end.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'catalog',
    statements: [
      // The signed documents served (index.json); `version` only grows, checked on every write.
      `create table {schema}.signed_documents (
        name text primary key,
        version bigint not null check (version > 0),
        body bytea not null,
        signed_at timestamptz not null default now()
      )`,
      // Every version ever signed, so two instances can never sign two indexes with one version.
      `create table {schema}.index_versions (
        version bigint primary key,
        signed_at timestamptz not null default now()
      )`,
      // Protocol v2 metadata files by their path under the marketplace URL.
      `create table {schema}.metadata_files (
        path text primary key check (length(path) <= 300),
        body bytea not null,
        written_at timestamptz not null default now()
      )`,
      `create table {schema}.archives (
        file_name text primary key check (length(file_name) <= 300),
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint not null check (size >= 0),
        stored_at timestamptz not null default now()
      )`,
      `create table {schema}.downloads (
        plugin_id text primary key,
        count bigint not null default 0 check (count >= 0)
      )`,
      // One rating per rater and plugin: rating again replaces the earlier one.
      `create table {schema}.ratings (
        plugin_id text not null,
        rater text not null,
        rating smallint not null check (rating between 1 and 5),
        rated_at timestamptz not null default now(),
        primary key (plugin_id, rater)
      )`,
    ],
  },
  {
    id: 2,
    name: 'publishers',
    statements: [
      `create table {schema}.publishers (
        id bigserial primary key,
        name text not null unique check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
        created_at timestamptz not null default now()
      )`,
      `create table {schema}.namespaces (
        namespace text primary key check (length(namespace) <= 128),
        publisher_id bigint not null references {schema}.publishers (id),
        granted_at timestamptz not null default now()
      )`,
      // Only a hash of each token's secret is kept; the secret is shown once, when it is made.
      `create table {schema}.tokens (
        id text primary key check (id ~ '^[0-9a-f]{16}$'),
        publisher_id bigint not null references {schema}.publishers (id),
        secret_sha256 bytea not null,
        scopes text[] not null,
        note text not null default '',
        created_at timestamptz not null default now(),
        expires_at timestamptz,
        revoked_at timestamptz
      )`,
      `create table {schema}.audit_log (
        id bigserial primary key,
        at timestamptz not null default now(),
        actor text not null,
        action text not null,
        subject text not null,
        address text not null default '',
        details jsonb not null default '{}'::jsonb
      )`,
      // Append-only: the database itself refuses to change or delete an audit entry.
      `create function {schema}.audit_log_is_append_only() returns trigger language plpgsql as $$
        begin
          raise exception 'the audit log is append-only';
        end
      $$`,
      `create trigger audit_log_append_only before update or delete on {schema}.audit_log
        for each row execute function {schema}.audit_log_is_append_only()`,
    ],
  },
  {
    id: 3,
    name: 'version documents',
    statements: [
      // What the web catalog shows of each published version beyond the index: the validator's
      // report and the README (JSON the service writes and parses as untrusted).
      `create table {schema}.version_documents (
        plugin_id text not null check (length(plugin_id) <= 128),
        version text not null check (length(version) <= 128),
        body bytea not null,
        written_at timestamptz not null default now(),
        primary key (plugin_id, version)
      )`,
    ],
  },
  {
    id: 4,
    name: 'drop the v1 index',
    statements: [
      // Protocol v1 is gone: the signed index and its version history are no longer written. The
      // signed v2 metadata (metadata_files) is the catalog; each snapshot version is written once.
      `drop table {schema}.signed_documents`,
      `drop table {schema}.index_versions`,
    ],
  },
  {
    id: 5,
    name: 'catalog rows',
    statements: [
      // The catalog as rows, written in the transaction that stores each plugin's signed targets:
      // a row per plugin (what search shows), per version, and per permission.
      `create table {schema}.plugins (
        plugin_id text primary key check (length(plugin_id) <= 128),
        name text not null,
        description text not null,
        plugin_type text not null,
        tags text[] not null,
        author text not null,
        updated_at timestamptz not null default now()
      )`,
      `create table {schema}.plugin_versions (
        plugin_id text not null references {schema}.plugins (plugin_id) on delete cascade,
        version text not null check (length(version) <= 128),
        dependencies jsonb not null,
        min_runtime_version text not null,
        max_runtime_version text not null,
        security_score integer not null,
        risk_level text not null,
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        size bigint not null check (size >= 0),
        -- The exact text signed into the targets, so a plugin's rows rebuild what was signed.
        published_at text not null,
        yanked boolean not null,
        revocation jsonb,
        permissions_extra jsonb not null default '{}'::jsonb,
        primary key (plugin_id, version)
      )`,
      `create table {schema}.version_permissions (
        plugin_id text not null,
        version text not null,
        kind text not null check (kind in ('filesystem_read', 'filesystem_write', 'network_hosts', 'external_apis', 'environment_variables')),
        position integer not null check (position >= 0),
        value text not null,
        primary key (plugin_id, version, kind, position),
        foreign key (plugin_id, version) references {schema}.plugin_versions (plugin_id, version) on delete cascade
      )`,
      `create index plugin_versions_by_sha256 on {schema}.plugin_versions (sha256)`,
    ],
  },
];
