import {
  PluginError,
  type PluginMarketplaceInfo,
  type PluginValidatorLike,
  RISK_LEVELS,
  type RiskLevel,
} from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import {
  formatArchiveName,
  type IndexPluginEntry,
  isMetadataPath,
  METADATA_PROTOCOL_VERSION,
  type PublishArchiveResult,
  type RankedPlugin,
  readArchiveName,
  SEARCH_PATH,
  type SearchQuery,
  type SigningKey,
  TIMESTAMP_PATH,
} from '@agentplug/registry-client/protocol';
import { checkPublishDependencies } from '../publish/check-dependencies';
import { assertArchiveNameFree, assertListable } from '../publish/check-listable';
import { type ArchiveInspection, inspectArchive } from '../publish/inspect-archive';
import { enforceRiskPolicy, type RiskPolicy } from '../publish/risk-policy';
import type { AuditInput } from '../publishers/publisher-directory';
import { type MarketplaceSigner, toMarketplaceSigner } from '../signing/marketplace-signer';
import { readPinnedSnapshotVersion } from '../signing/online-metadata';
import { addToCatalog, type Catalog, catalogEntryWith } from '../store/catalog';
import { DownloadCounter, type MarketplaceStats } from '../store/marketplace-stats';
import type {
  ArchiveToWrite,
  MarketplaceStore,
  StoredArchive,
  VersionDocumentToWrite,
} from '../store/marketplace-store';
import { createGroupCommit, type RoundOutcome } from './group-commit';
import { type MetadataPublisher, openMetadataPublisher } from './metadata-publisher';
import { createRankedSearch } from './ranked-search';
import {
  createVersionReport,
  parseVersionReport,
  serializeVersionReport,
  type VersionReport,
} from './version-report';

/** Options of {@link createMarketplaceService}. */
export interface MarketplaceServiceOptions extends RiskPolicy {
  store: MarketplaceStore;
  /**
   * Signs the metadata: a key in this process, or a signer that holds it elsewhere (a signer
   * command). By default it holds every online role and signs root 1 of a new store.
   */
  signingKey: SigningKey | MarketplaceSigner;
  /** Validates uploads; undefined skips validation. */
  validator: PluginValidatorLike | undefined;
  /**
   * Inspects an upload instead of `inspectArchive` on this thread (a pool of inspection workers
   * that runs the same checks and the same validation); the archives a store already holds are
   * inspected here either way.
   */
  inspectUpload?(archive: Buffer): Promise<ArchiveInspection>;
  /** Delay before changed download counts and ratings show in the catalog's lists (`getCatalog`). */
  statsResignDelayMs: number;
  /**
   * How often the store is asked whether another instance signed a newer snapshot (then it is
   * loaded and served). Default 2 s; 0 turns it off (a store no other instance writes).
   */
  refreshIntervalMs?: number;
  extractionLimits?: ExtractionLimits;
  /** Protocol v2 keys and lifetimes; by default `signingKey` holds every role (root 1 of 1). */
  metadata?: MetadataServiceOptions;
  /** Told the size of each publish round as it starts (metrics): how many publishes share one transaction. */
  onPublishRound?(size: number): void;
  /** Writes the audit entries of accepted changes (`ChangeOptions.audit`), inside the change's transaction. */
  writeAudit?(entries: readonly AuditInput[]): Promise<void>;
}

/** A key in this process, or a signer that holds its key elsewhere. */
export type MetadataKey = SigningKey | MarketplaceSigner;

/** How the service signs protocol v2 metadata. */
export interface MetadataServiceOptions {
  /** The online roles' keys or signers. Default `signingKey` for each. */
  signers?: {
    targets: readonly MetadataKey[];
    snapshot: readonly MetadataKey[];
    timestamp: readonly MetadataKey[];
  };
  /** Signs root version 1 when the store has none. Default `signingKey`; `false` requires a stored root. */
  rootSigner?: MetadataKey | false;
  /** The freeze window: how long a timestamp is valid (re-signed at half). Default 6 hours. */
  timestampLifetimeMs?: number;
  /** How long a snapshot is valid. Default 30 days. */
  snapshotLifetimeMs?: number;
}

/** Why a version must not be installed: what `revoke` records in the signed targets. */
export interface RevocationInput {
  reason: string;
  severity: RiskLevel;
}

/** One change of the catalog, as a hook sees it before anything is written. */
export interface CatalogChange {
  action: 'publish' | 'yank' | 'unyank' | 'revoke' | 'unrevoke';
  pluginId: string;
  version: string;
}

/** What a caller adds to a publish or a yank. */
export interface ChangeOptions {
  /**
   * Checks the change once its plugin id is known, before anything is written: throwing refuses it
   * (authorization). It must write nothing, so a round of publishes runs it without a savepoint.
   */
  authorize?(change: CatalogChange): Promise<void>;
  /**
   * The audit entry of the change: written by the service's `writeAudit` in the change's
   * transaction, with every other entry of its round in one call, when the change is accepted.
   */
  audit?(change: CatalogChange): AuditInput;
  /**
   * Runs inside the change (with a SQL store, in its transaction, behind a savepoint of its own)
   * after `authorize`: throwing refuses the change, and what it wrote to the store's database is
   * undone; otherwise that commits with the change.
   */
  beforeWrite?(change: CatalogChange): Promise<void>;
}

/**
 * How long counted downloads wait before they are written: one statement for every download in
 * that window (the live counts a server serves are in memory; the store's are for other instances
 * and restarts, and `close` writes what waits).
 */
const DOWNLOAD_WRITE_DELAY_MS = 250;

/** The longest a round waits for uploads still being inspected to join it (see `gatherSiblings`). */
const MAX_GATHER_MS = 250;

/** The most publishes one signing round lists; more wait for the next round. */
const MAX_PUBLISHES_PER_ROUND = 256;

/** A publish whose upload passed inspection, waiting for a signing round. */
interface PendingPublish {
  archive: Buffer;
  inspection: ArchiveInspection;
  changeOptions: ChangeOptions;
}

/** What one round of publishes lists and writes. */
interface PublishRound {
  listed: Map<string, IndexPluginEntry>;
  archives: ArchiveToWrite[];
  documents: VersionDocumentToWrite[];
  audit: AuditInput[];
}

/** What a search answers: the ranked results and the snapshot version they were read from. */
export interface MarketplaceSearchAnswer {
  protocol_version: number;
  /** The v2 snapshot version the results were read from. */
  index_version: number;
  results: PluginMarketplaceInfo[];
}

/**
 * The catalog as served, replaced (a new object) whenever what its lists show may change: a
 * signed change, or counters refreshed `statsResignDelayMs` after a download or rating.
 */
export interface CatalogView {
  /** The v2 snapshot version that signs this catalog. */
  readonly version: number;
  /** Every plugin with its versions; counters as of the view (`getPlugin` has live ones). */
  readonly plugins: Readonly<Catalog>;
}

/** An archive the catalog lists, found in the store. */
export interface ListedArchive {
  pluginId: string;
  version: string;
  archive: StoredArchive;
}

/**
 * A marketplace without HTTP: the catalog, its signed v2 metadata, publish, yank, revoke, search,
 * counters and ratings over a store. Every change is signed before it is seen: a publish whose
 * archive or metadata cannot be written (or whose signer refuses) changes nothing. A change costs
 * what it touches (its plugins' targets, a few tree nodes, a snapshot and a timestamp), not the
 * catalog's size.
 */
export interface MarketplaceService {
  /** The catalog served now (see {@link CatalogView}). */
  getCatalog(): CatalogView;
  /** @throws PluginError CONFLICT (version exists), DEPENDENCY_UNRESOLVED, VALIDATION_FAILED, ARCHIVE_UNSAFE, TOO_LARGE, MANIFEST_*, and what `authorize` or `beforeWrite` throws */
  publish(archive: Buffer, options?: ChangeOptions): Promise<PublishArchiveResult>;
  /**
   * Revokes a version (or withdraws its revocation with `undefined`): clients refuse to install it
   * and report it installed. The yank flag is left as it is.
   * @throws PluginError NOT_FOUND, INVALID_ARGUMENT (no reason, unknown severity), and what `authorize` or `beforeWrite` throws
   */
  revoke(
    pluginId: string,
    version: string,
    revocation: RevocationInput | undefined,
    options?: ChangeOptions,
  ): Promise<void>;
  /** A protocol v2 metadata file by its path (`v2/...`), or undefined. */
  readMetadata(path: string): Promise<Uint8Array | undefined>;
  /** @throws PluginError NOT_FOUND, and what `authorize` or `beforeWrite` throws */
  yank(pluginId: string, version: string, yanked: boolean, options?: ChangeOptions): Promise<void>;
  search(query: SearchQuery): MarketplaceSearchAnswer;
  /** Every plugin matching, by the search rule, with live downloads and no result objects built (the web catalog pages these). */
  rank(query: Omit<SearchQuery, 'limit'>): RankedPlugin[];
  /** A plugin's live average rating (0 when unrated). */
  ratingOf(pluginId: string): number;
  /** A plugin's catalog entry with live counters, or undefined. */
  getPlugin(pluginId: string): IndexPluginEntry | undefined;
  /**
   * The validation report and README kept for a listed version, or undefined when the catalog does
   * not list it or the store keeps no report for it (published before reports were kept).
   * @throws PluginError INVALID_ARGUMENT when the stored report is unreadable
   */
  getVersionReport(pluginId: string, version: string): Promise<VersionReport | undefined>;
  /** The archive of a listed version, or undefined when the catalog does not list that name. */
  findArchive(fileName: string): Promise<ListedArchive | undefined>;
  /** Counts one download of a plugin. */
  recordDownload(pluginId: string): void;
  /**
   * Records a rating by `rater` (one per rater and plugin where the store keeps raters).
   * @throws PluginError NOT_FOUND (unknown plugin), INVALID_ARGUMENT (not an integer 1..5)
   */
  rate(
    pluginId: string,
    rating: unknown,
    rater?: string,
  ): Promise<{ plugin_id: string; rating: number; rating_count: number }>;
  /** Asks the store for a newer snapshot signed by another instance, and serves it when there is one. */
  refresh(): Promise<void>;
  /** Stops the timers and writes the counters. */
  close(): Promise<void>;
}

// A store with archives but no v2 metadata yet (a folder of archives): the catalog is built from them.
async function buildCatalogFromArchives(options: MarketplaceServiceOptions): Promise<Catalog> {
  let catalog: Catalog = {};
  for (const archive of await options.store.listArchives()) {
    const inspection = await inspectArchive(await archive.read(), {
      validator: options.validator,
      extractionLimits: options.extractionLimits,
    });
    catalog = addToCatalog(catalog, inspection, archive.storedAt);
  }
  return catalog;
}

function ratingOf(stats: MarketplaceStats, pluginId: string): { rating: number; rating_count: number } {
  const rating = stats.ratings[pluginId];
  if (rating === undefined || rating.count === 0) return { rating: 0, rating_count: 0 };
  return { rating: Math.round((rating.sum / rating.count) * 100) / 100, rating_count: rating.count };
}

function findVersion(
  catalog: Catalog,
  pluginId: string,
  version: string,
): { entry: IndexPluginEntry; versionEntry: IndexPluginEntry['versions'][string] } {
  const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
  const versionEntry =
    entry !== undefined && Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
  if (entry === undefined || versionEntry === undefined) {
    throw new PluginError('NOT_FOUND', `${pluginId} ${version} is not published here`, {
      details: { pluginId, version },
    });
  }
  return { entry, versionEntry };
}

/**
 * Opens a marketplace over a store: reads its signed v2 metadata (or builds the catalog from its
 * archives and signs it), and re-signs the timestamp at half its lifetime.
 * @throws PluginError INVALID_ARGUMENT (unreadable store or bad key), INDEX_INVALID and INTEGRITY_MISMATCH (damaged stored metadata), UNAVAILABLE (a signer), and the inspection codes of a stored archive
 */
export async function createMarketplaceService(
  options: MarketplaceServiceOptions,
): Promise<MarketplaceService> {
  const { store } = options;
  const rows = store.catalogRows;
  // The catalog is changed in place (a change costs its plugins, not a copy of the catalog);
  // `searchable` is the copy search prepares its index over, made again only after a change.
  const catalog = Object.create(null) as Catalog;
  let searchable: Catalog | undefined;
  let stats: MarketplaceStats = { downloads: Object.create(null), ratings: Object.create(null) };
  const downloadCounter = new DownloadCounter(
    (counts) => store.addDownloads(counts),
    DOWNLOAD_WRITE_DELAY_MS,
  );
  let mutations: Promise<unknown> = Promise.resolve();
  let view: CatalogView = { version: 0, plugins: catalog };
  const defaultSigner = toMarketplaceSigner(options.signingKey);
  const signersOf = (keys: readonly MetadataKey[] | undefined): MarketplaceSigner[] =>
    keys === undefined ? [defaultSigner] : keys.map(toMarketplaceSigner);
  const rootSigner = options.metadata?.rootSigner;
  const timestampLifetimeMs = options.metadata?.timestampLifetimeMs ?? 6 * 60 * 60 * 1000;

  const withStats = (entry: IndexPluginEntry): IndexPluginEntry => ({
    ...entry,
    downloads: stats.downloads[entry.plugin_id] ?? 0,
    ...ratingOf(stats, entry.plugin_id),
  });
  const lookup = (pluginId: string): IndexPluginEntry | undefined =>
    Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
  const rankedSearch = createRankedSearch((pluginId) => stats.downloads[pluginId] ?? 0);
  const searchCatalog = (): Catalog => {
    searchable ??= { ...catalog };
    return searchable;
  };

  let metadata!: MetadataPublisher;
  // Serves what was just signed: the changed entries go into the catalog, and a new view replaces the old.
  const serve = (changed: Iterable<[string, IndexPluginEntry | undefined]>): void => {
    for (const [pluginId, entry] of changed) {
      if (entry === undefined) delete catalog[pluginId];
      else catalog[pluginId] = entry;
    }
    searchable = undefined;
    view = { version: metadata.snapshotVersion, plugins: catalog };
  };

  // Loads what another instance signed, when the store's timestamp pins a newer snapshot.
  const catchUp = async (): Promise<void> => {
    const stored = readPinnedSnapshotVersion(await store.readMetadata(TIMESTAMP_PATH));
    if (stored === 0 || stored === metadata.snapshotVersion) return;
    const changed = await metadata.reload();
    const read = rows !== undefined ? await rows.read(changed) : await metadata.readCatalog(changed);
    stats = await store.readStats();
    serve(changed.map((pluginId) => [pluginId, read[pluginId]]));
  };

  // In this process, one at a time: changes, and loading what other instances signed.
  const inOrder = <T>(work: () => Promise<T>): Promise<T> => {
    const next = mutations.then(work, work);
    mutations = next.catch(() => undefined);
    return next;
  };
  // Changes run one at a time in this process and, through the store, one at a time across instances.
  const mutate = <T>(change: () => Promise<T>): Promise<T> =>
    inOrder(() =>
      store.exclusive(async () => {
        await catchUp();
        return change();
      }),
    );

  // Signs the changed entries' targets, a snapshot and a timestamp, and (SQL) writes their rows in
  // the same transaction; serves them once written.
  const signChanges = async (changed: Map<string, IndexPluginEntry>): Promise<void> => {
    await metadata.publish(Object.fromEntries(changed), [...changed.keys()]);
    await rows?.write([...changed.values()]);
    serve(changed);
  };

  await store.exclusive(async () => {
    metadata = await openMetadataPublisher({
      store,
      signers: {
        targets: signersOf(options.metadata?.signers?.targets),
        snapshot: signersOf(options.metadata?.signers?.snapshot),
        timestamp: signersOf(options.metadata?.signers?.timestamp),
      },
      rootSigner: rootSigner === false ? undefined : toMarketplaceSigner(rootSigner ?? options.signingKey),
      lifetimes: {
        timestampMs: timestampLifetimeMs,
        ...(options.metadata?.snapshotLifetimeMs === undefined
          ? {}
          : { snapshotMs: options.metadata.snapshotLifetimeMs }),
      },
      searchEndpoint: SEARCH_PATH,
    });
    stats = await store.readStats();
    if (metadata.snapshotVersion === 0) {
      // Nothing signed yet: the archives the store holds (a folder of archives) are the catalog.
      const built = await buildCatalogFromArchives(options);
      await signChanges(new Map(Object.entries(built)));
    } else if (rows !== undefined) {
      // A schema from before the rows: they are filled once from the signed targets.
      if ((await rows.count()) !== metadata.pluginCount) {
        await rows.write(Object.values(await metadata.readCatalog()));
      }
      serve(Object.entries(await rows.read()));
    } else {
      serve(Object.entries(await metadata.readCatalog()));
    }
  });
  const renewTimer = setInterval(
    () => void mutate(() => metadata.renew()).catch(() => undefined),
    Math.max(1000, timestampLifetimeMs / 2),
  );
  renewTimer.unref();
  const refreshIntervalMs = options.refreshIntervalMs ?? 2000;
  const refreshTimer =
    refreshIntervalMs > 0
      ? setInterval(() => void inOrder(catchUp).catch(() => undefined), refreshIntervalMs)
      : undefined;
  refreshTimer?.unref();
  let statsTimer: NodeJS.Timeout | undefined;
  const statsChanged = (): void => {
    if (statsTimer !== undefined) return;
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      void (async () => {
        await downloadCounter.flush();
        stats = await store.readStats();
        view = { version: view.version, plugins: catalog };
      })().catch(() => undefined);
    }, options.statsResignDelayMs);
    statsTimer.unref();
  };

  const inspect = (archive: Buffer): Promise<ArchiveInspection> =>
    options.inspectUpload?.(archive) ??
    inspectArchive(archive, { validator: options.validator, extractionLimits: options.extractionLimits });

  // What accepted changes write to the audit log; a round writes all of its entries at once.
  const recordAudit = async (entries: readonly AuditInput[]): Promise<void> => {
    if (entries.length === 0) return;
    if (options.writeAudit === undefined) {
      throw new PluginError('INTERNAL', 'a change has an audit entry but the marketplace has no audit log');
    }
    await options.writeAudit(entries);
  };

  // The checks of one change before anything is written: its caller's `authorize`, then its
  // `beforeWrite` behind a savepoint of its own (a refusal undoes only what that hook wrote).
  const admit = async (change: CatalogChange, changeOptions: ChangeOptions): Promise<void> => {
    await changeOptions.authorize?.(change);
    const { beforeWrite } = changeOptions;
    if (beforeWrite !== undefined) await store.attempt(() => beforeWrite(change));
  };

  // One publish of a round: refused (nothing written) or listed, its writes gathered for the round.
  const listOne = async (round: PublishRound, pending: PendingPublish): Promise<PublishArchiveResult> => {
    const { inspection, archive, changeOptions } = pending;
    const { plugin_id: pluginId, version } = inspection.manifest;
    const { listed } = round;
    const current = (id: string): IndexPluginEntry | undefined => listed.get(id) ?? lookup(id);
    if (current(pluginId)?.versions[version] !== undefined) {
      throw new PluginError(
        'CONFLICT',
        `${pluginId} ${version} is already published; publish a new version`,
        {
          details: { pluginId, version },
        },
      );
    }
    assertArchiveNameFree(pluginId, version, current);
    checkPublishDependencies(inspection.manifest, current);
    const entry = catalogEntryWith(current(pluginId), inspection, new Date().toISOString());
    assertListable(entry);
    const change: CatalogChange = { action: 'publish', pluginId, version };
    await admit(change, changeOptions);
    listed.set(pluginId, entry);
    round.archives.push({ fileName: formatArchiveName(pluginId, version), archive });
    // Written before signing: a version the metadata lists always has its report.
    round.documents.push({
      pluginId,
      version,
      document: serializeVersionReport(createVersionReport(inspection)),
    });
    const audit = changeOptions.audit?.(change);
    if (audit !== undefined) round.audit.push(audit);
    return {
      plugin_id: pluginId,
      version,
      sha256: inspection.sha256,
      size: inspection.size,
      security_score: inspection.securityScore,
      risk_level: inspection.riskLevel,
      validation: inspection.validation,
    };
  };

  // Uploads being inspected now: they are about to join a round. A round about to start waits for
  // them (up to MAX_GATHER_MS), as PostgreSQL's commit_delay waits for sibling transactions, so
  // concurrent publishes share a few rounds (each costs a transaction, signatures and a snapshot)
  // instead of each paying a round of its own. A publish alone has no siblings and never waits.
  let inspecting = 0;
  let inspectionEnded: (() => void)[] = [];
  const endInspection = (): void => {
    inspecting -= 1;
    const waiters = inspectionEnded;
    inspectionEnded = [];
    for (const wake of waiters) wake();
  };
  const gatherSiblings = async (): Promise<void> => {
    const deadline = performance.now() + MAX_GATHER_MS;
    while (inspecting > 0 && publishes.waiting < MAX_PUBLISHES_PER_ROUND) {
      const left = deadline - performance.now();
      if (left <= 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        inspectionEnded.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  // Group commit: every publish waiting when a round takes the lock is checked in it, then the
  // round writes what the accepted ones bring (archives, reports, audit entries: one statement
  // each on SQL, whatever the round's size), signs once (the targets of the plugins listed, one
  // snapshot and one timestamp) and commits. A publish is answered only after its round committed.
  const publishes = createGroupCommit<PendingPublish, PublishArchiveResult>({
    maxBatch: MAX_PUBLISHES_PER_ROUND,
    run: async (take) => {
      await gatherSiblings();
      return mutate(async () => {
        const batch = take();
        options.onPublishRound?.(batch.length);
        const round: PublishRound = { listed: new Map(), archives: [], documents: [], audit: [] };
        const outcomes: RoundOutcome<PublishArchiveResult>[] = [];
        for (const pending of batch) {
          try {
            outcomes.push({ ok: true, value: await listOne(round, pending) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        // A signer or a write that fails refuses the round: the store's transaction rolls back.
        if (round.listed.size > 0) {
          await store.writeArchives(round.archives);
          await store.writeVersionDocuments(round.documents);
          await recordAudit(round.audit);
          await signChanges(round.listed);
        }
        return outcomes;
      });
    },
  });

  // Changes one version's entry (yank, revoke) and signs it.
  const changeVersion = (
    pluginId: string,
    version: string,
    change: CatalogChange['action'],
    changeOptions: ChangeOptions,
    update: (versionEntry: IndexPluginEntry['versions'][string]) => IndexPluginEntry['versions'][string],
  ): Promise<void> =>
    mutate(async () => {
      const { entry, versionEntry } = findVersion(catalog, pluginId, version);
      const catalogChange: CatalogChange = { action: change, pluginId, version };
      await admit(catalogChange, changeOptions);
      const next = { ...entry, versions: { ...entry.versions, [version]: update(versionEntry) } };
      const audit = changeOptions.audit?.(catalogChange);
      await recordAudit(audit === undefined ? [] : [audit]);
      await signChanges(new Map([[pluginId, next]]));
    });

  return {
    getCatalog: () => view,
    async publish(archive, changeOptions = {}) {
      // Inspection (extraction, validation) and the archive bytes need no lock: uploads are
      // checked and stored side by side, and only the listing waits for a round.
      inspecting += 1;
      let pending: Promise<PublishArchiveResult>;
      try {
        const inspection = await inspect(archive);
        enforceRiskPolicy(inspection, options);
        await store.prepareArchive(archive);
        pending = publishes.submit({ archive, inspection, changeOptions });
      } finally {
        endInspection();
      }
      return pending;
    },
    yank: (pluginId, version, yanked, changeOptions = {}) =>
      changeVersion(pluginId, version, yanked ? 'yank' : 'unyank', changeOptions, (versionEntry) => ({
        ...versionEntry,
        yanked,
      })),
    revoke(pluginId, version, revocation, changeOptions = {}) {
      if (revocation !== undefined) {
        try {
          checkRevocation(revocation);
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return changeVersion(
        pluginId,
        version,
        revocation === undefined ? 'unrevoke' : 'revoke',
        changeOptions,
        (versionEntry) => {
          const { revoked: _previous, ...rest } = versionEntry as typeof versionEntry & { revoked?: unknown };
          return revocation === undefined
            ? rest
            : { ...rest, revoked: { ...revocation, revoked_at: new Date().toISOString() } };
        },
      );
    },
    readMetadata: (path) => (isMetadataPath(path) ? store.readMetadata(path) : Promise.resolve(undefined)),
    search(query) {
      // The searchable copy survives until the next change, so the matches kept for it do too; counters are live.
      const results = rankedSearch
        .search(searchCatalog(), query)
        .map((result) => ({ ...result, rating: ratingOf(stats, result.plugin_id).rating }));
      return { protocol_version: METADATA_PROTOCOL_VERSION, index_version: view.version, results };
    },
    rank: (query) => rankedSearch.rank(searchCatalog(), query),
    ratingOf: (pluginId) => ratingOf(stats, pluginId).rating,
    getPlugin(pluginId) {
      const entry = lookup(pluginId);
      return entry === undefined ? undefined : withStats(entry);
    },
    async getVersionReport(pluginId, version) {
      const entry = lookup(pluginId);
      if (entry === undefined || !Object.hasOwn(entry.versions, version)) return undefined;
      const document = await store.readVersionDocument(pluginId, version);
      return document === undefined ? undefined : parseVersionReport(document);
    },
    async findArchive(fileName) {
      // A marketplace lists at most one reading of a name (publish refuses a second), so the first listed is it.
      for (const { pluginId, version } of readArchiveName(fileName)) {
        const entry = lookup(pluginId);
        const listed =
          entry !== undefined && Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
        if (listed === undefined) continue;
        const archive = await store.openArchive(fileName, {
          sha256: listed.sha256,
          publishedAt: listed.published_at,
        });
        return archive === undefined ? undefined : { pluginId, version, archive };
      }
      return undefined;
    },
    recordDownload(pluginId) {
      stats.downloads[pluginId] = (stats.downloads[pluginId] ?? 0) + 1;
      downloadCounter.count(pluginId);
      statsChanged();
    },
    async rate(pluginId, rating, rater = 'anonymous') {
      if (lookup(pluginId) === undefined) throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
        throw new PluginError('INVALID_ARGUMENT', 'rating must be an integer from 1 to 5');
      }
      // Awaited first: a stats reload during the await replaces `stats`, and the new total belongs in it.
      const total = await store.addRating(pluginId, rater, rating);
      stats.ratings[pluginId] = total;
      statsChanged();
      return { plugin_id: pluginId, ...ratingOf(stats, pluginId) };
    },
    refresh: () => inOrder(catchUp),
    async close() {
      clearInterval(renewTimer);
      if (refreshTimer !== undefined) clearInterval(refreshTimer);
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      await mutations;
      await downloadCounter.flush();
    },
  };
}

function checkRevocation(revocation: RevocationInput): void {
  if (
    typeof revocation.reason !== 'string' ||
    revocation.reason.trim() === '' ||
    revocation.reason.length > 2000
  ) {
    throw new PluginError('INVALID_ARGUMENT', 'a revocation needs a reason of 1 to 2000 characters');
  }
  if (!(RISK_LEVELS as readonly string[]).includes(revocation.severity)) {
    throw new PluginError('INVALID_ARGUMENT', `a revocation's severity is one of ${RISK_LEVELS.join(', ')}`);
  }
}
