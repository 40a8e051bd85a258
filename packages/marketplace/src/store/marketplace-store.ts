import type { Readable } from 'node:stream';
import type { MetadataFile } from '@agentplug/registry-client/protocol';
import type { CatalogRows } from './catalog-rows';
import type { MarketplaceStats, RatingTotal } from './marketplace-stats';

/** One archive a store holds, named `<plugin_id>-<version>.tgz`. */
export interface StoredArchive {
  fileName: string;
  /** Size in bytes. */
  size: number;
  /** When it was stored, ISO 8601. */
  storedAt: string;
  /** Reads the whole archive. */
  read(): Promise<Buffer>;
  /** Streams the archive (downloads). */
  stream(): Readable;
}

/** An archive to store, by its file name (`<plugin_id>-<version>.tgz`). */
export interface ArchiveToWrite {
  fileName: string;
  archive: Uint8Array;
}

/** The document kept beside a published version (see `MarketplaceStore.readVersionDocument`). */
export interface VersionDocumentToWrite {
  pluginId: string;
  version: string;
  document: Uint8Array;
}

/** What the signed catalog says of an archive: the bytes' sha256 and when its version was published. */
export interface ListedArchiveBytes {
  sha256: string;
  publishedAt: string;
}

/**
 * Where a marketplace keeps what it serves: the signed v2 metadata, the archives, a document per
 * published version and the counters. A
 * store knows no HTTP and no policy: the marketplace service decides what is published and signs
 * it, the store only keeps it. Two implementations: the folder store (`createFolderStore`, one
 * process) and the SQL store (`createSqlStore`: embedded PGlite, or a PostgreSQL server that several
 * instances share). `test/store-contract.ts` is the contract every implementation passes.
 */
export interface MarketplaceStore {
  /** Where the store lives, for messages (a folder path, a database name). */
  readonly location: string;
  /** Every archive held, sorted by file name. */
  listArchives(): Promise<StoredArchive[]>;
  /**
   * One archive by its file name, or undefined when the store does not hold it. `listed` is what
   * the signed catalog says of it: a store that keeps bytes by sha256 opens them straight from it
   * (a download costs no database round trip); the folder store looks the name up either way.
   */
  openArchive(fileName: string, listed?: ListedArchiveBytes): Promise<StoredArchive | undefined>;
  /**
   * Stores archives under their file names; a reader sees each whole archive or none. A round of
   * publishes stores all of its archives in one call (SQL: one statement).
   */
  writeArchives(archives: readonly ArchiveToWrite[]): Promise<void>;
  /**
   * Puts an archive's bytes where the store keeps bytes before the change that names them runs
   * (outside `exclusive`, side by side with other uploads), so `writeArchives` inside the lock only
   * records the name. Bytes no change names are harmless. A store that keeps archives by name does
   * nothing here.
   */
  prepareArchive(archive: Uint8Array): Promise<void>;
  /**
   * A protocol v2 metadata file by its path under the marketplace URL (`v2/timestamp.json`,
   * `v2/tree/<sha256>.json`, ...), or undefined when the store holds none. Paths are checked with
   * `isMetadataPath` before they reach a store.
   */
  readMetadata(path: string): Promise<Uint8Array | undefined>;
  /**
   * Stores protocol v2 metadata files one after the other, in the order given, each atomically: the
   * service lists new content-addressed files first and `v2/timestamp.json` last, so a reader never
   * sees a timestamp that points at a file not yet written. A snapshot (`v2/snapshot/<N>.json`) is
   * never replaced: writing one that exists is refused, so no two instances sign one version.
   * @throws PluginError CONFLICT when a snapshot version is already stored (nothing of the batch is kept on SQL)
   */
  writeMetadata(files: readonly MetadataFile[]): Promise<void>;
  /**
   * The document kept beside a published version (its validation report and README, JSON the
   * service writes and parses), or undefined when none is kept. A SQL store keeps it as one row
   * keyed by plugin id and version.
   */
  readVersionDocument(pluginId: string, version: string): Promise<Uint8Array | undefined>;
  /**
   * Keeps (replaces) the document of each version given; a reader sees the old document or the new
   * one. A round of publishes keeps all of its documents in one call (SQL: one statement).
   * @throws PluginError INVALID_ARGUMENT (a plugin id or version that names no file, on the folder store)
   */
  writeVersionDocuments(documents: readonly VersionDocumentToWrite[]): Promise<void>;
  /** The download counts and ratings kept (empty when there are none or they cannot be read). */
  readStats(): Promise<MarketplaceStats>;
  /** Adds to download counts (increments, so several instances can count into one store). */
  addDownloads(counts: Readonly<Record<string, number>>): Promise<void>;
  /**
   * Records `rater`'s rating of a plugin (replacing the same rater's earlier one where raters are
   * kept) and answers the plugin's new total.
   */
  addRating(pluginId: string, rater: string, rating: number): Promise<RatingTotal>;
  /**
   * Runs `work` as the only writer of the store's catalog. SQL: one transaction holding a lock that
   * every instance on the database takes, so store calls inside commit together or not at all. A
   * folder: one process, its calls in order.
   */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  /**
   * Inside `exclusive`, runs one item of a batch: when `work` throws, what it wrote through the
   * store is undone (SQL: a savepoint) and the exclusive section goes on with the next item. A
   * folder has no transactions: its items write only after their checks pass.
   */
  attempt<T>(work: () => Promise<T>): Promise<T>;
  /**
   * The catalog as SQL rows, written with the signed metadata and read back by a starting instance;
   * undefined for the folder store, whose signed targets are its catalog.
   */
  readonly catalogRows?: CatalogRows;
  /** Releases what the store holds open (database connections). */
  close(): Promise<void>;
}
