import { PluginError, type PluginValidatorLike, RISK_LEVELS, type RiskLevel } from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import {
  formatArchiveName,
  INDEX_TYPE,
  type IndexPluginEntry,
  isMetadataPath,
  MARKETPLACE_PROTOCOL_VERSION,
  type MetadataSigners,
  type PublishArchiveResult,
  type RankedPlugin,
  rankIndex,
  SEARCH_PATH,
  type SearchQuery,
  type SignedIndexBody,
  type SigningKey,
  searchIndex,
  serializeSignedIndex,
} from '@agentplug/registry-client/protocol';
import { checkPublishDependencies } from '../publish/check-dependencies';
import { assertListable } from '../publish/check-listable';
import { type ArchiveInspection, inspectArchive } from '../publish/inspect-archive';
import { enforceRiskPolicy, type RiskPolicy } from '../publish/risk-policy';
import {
  isMarketplaceSigner,
  type MarketplaceSigner,
  signIndexDocument,
  toMarketplaceSigner,
} from '../signing/marketplace-signer';
import { addToCatalog, type Catalog, catalogEntryWith } from '../store/catalog';
import { DownloadCounter, type MarketplaceStats } from '../store/marketplace-stats';
import type { MarketplaceStore, StoredArchive } from '../store/marketplace-store';
import { createGroupCommit, type RoundOutcome } from './group-commit';
import { type MetadataPublisher, openMetadataPublisher } from './metadata-publisher';
import {
  createVersionReport,
  parseVersionReport,
  serializeVersionReport,
  type VersionReport,
} from './version-report';

/** Options of {@link createMarketplaceService}. */
export interface MarketplaceServiceOptions extends RiskPolicy {
  store: MarketplaceStore;
  /** Signs the index: a key in this process, or a signer that holds it elsewhere. */
  signingKey: SigningKey | MarketplaceSigner;
  /** Validates uploads; undefined skips validation. */
  validator: PluginValidatorLike | undefined;
  /** How long each signed index stays valid; it is re-signed at half that. */
  indexLifetimeMs: number;
  /** Delay before changed download counts and ratings are signed into the index. */
  statsResignDelayMs: number;
  /**
   * How often the store is asked whether another instance signed a newer index (then it is
   * loaded and served). Default 2 s; 0 turns it off (a store no other instance writes).
   */
  refreshIntervalMs?: number;
  extractionLimits?: ExtractionLimits;
  /** Protocol v2 keys and lifetimes; by default `signingKey` holds every role (root 1 of 1). */
  metadata?: MetadataServiceOptions;
}

/** How the service signs protocol v2 metadata. */
export interface MetadataServiceOptions {
  /** The online roles' keys. Default `signingKey` for each. */
  signers?: MetadataSigners;
  /** Signs root version 1 when the store has none. Default `signingKey`; `false` requires a stored root. */
  rootSigner?: SigningKey | false;
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
   * Runs inside the change (with a SQL store, in its transaction) once the plugin id is known and
   * before anything is written: throwing refuses the change with nothing written (authorization),
   * and what it writes to the store's database commits with the change or not at all (audit).
   */
  beforeWrite?(change: CatalogChange): Promise<void>;
}

/** An index signed and not yet written, with the catalog it lists. */
interface SignedCatalog {
  body: SignedIndexBody;
  document: Buffer;
  catalog: Catalog;
}

/** The most publishes one signing round lists; more wait for the next round. */
const MAX_PUBLISHES_PER_ROUND = 256;

/** A publish whose upload passed inspection, waiting for a signing round. */
interface PendingPublish {
  archive: Buffer;
  inspection: ArchiveInspection;
  changeOptions: ChangeOptions;
}

/** What a search answers: the ranked results and the index version they were read from. */
export interface MarketplaceSearchAnswer {
  protocol_version: number;
  index_version: number;
  results: ReturnType<typeof searchIndex>;
}

/** An archive the catalog lists, found in the store. */
export interface ListedArchive {
  pluginId: string;
  version: string;
  archive: StoredArchive;
}

/**
 * A marketplace without HTTP: the catalog, its signed index, publish, yank, search, counters and
 * ratings over a store. Every change of the catalog runs one at a time and is signed before it is
 * seen: a publish whose archive or index cannot be written changes nothing.
 */
export interface MarketplaceService {
  /** The signed body currently served. */
  getIndex(): SignedIndexBody;
  /** The signed index document currently served, as bytes. */
  getIndexDocument(): Buffer;
  /** @throws PluginError CONFLICT (version exists), DEPENDENCY_UNRESOLVED, VALIDATION_FAILED, ARCHIVE_UNSAFE, TOO_LARGE, MANIFEST_*, and what `beforeWrite` throws */
  publish(archive: Buffer, options?: ChangeOptions): Promise<PublishArchiveResult>;
  /**
   * Revokes a version (or withdraws its revocation with `undefined`): clients refuse to install it
   * and report it installed. The yank flag is left as it is.
   * @throws PluginError NOT_FOUND, INVALID_ARGUMENT (no reason, unknown severity), and what `beforeWrite` throws
   */
  revoke(
    pluginId: string,
    version: string,
    revocation: RevocationInput | undefined,
    options?: ChangeOptions,
  ): Promise<void>;
  /** A protocol v2 metadata file by its path (`v2/...`), or undefined. */
  readMetadata(path: string): Promise<Uint8Array | undefined>;
  /** @throws PluginError NOT_FOUND, and what `beforeWrite` throws */
  yank(pluginId: string, version: string, yanked: boolean, options?: ChangeOptions): Promise<void>;
  search(query: SearchQuery): MarketplaceSearchAnswer;
  /** Every plugin matching, by the search rule, with live downloads and no result objects built (the web catalog pages these). */
  rank(query: Omit<SearchQuery, 'limit'>): RankedPlugin[];
  /** A plugin's live average rating (0 when unrated). */
  ratingOf(pluginId: string): number;
  /** A plugin's index entry with live counters, or undefined. */
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
  /** Asks the store for a newer index signed by another instance, and serves it when there is one. */
  refresh(): Promise<void>;
  /** Stops the timers and writes the counters. */
  close(): Promise<void>;
}

// A store with archives but no index yet (a folder of archives): the catalog is built from them.
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

/**
 * Opens a marketplace over a store: reads its signed index (or builds one from its archives),
 * signs a new index, and re-signs it at half its lifetime and after counters change.
 * @throws PluginError INVALID_ARGUMENT (unreadable store or bad key), and the inspection codes of a stored archive
 */
export async function createMarketplaceService(
  options: MarketplaceServiceOptions,
): Promise<MarketplaceService> {
  const { store } = options;
  let catalog: Catalog = {};
  let indexVersion = 0;
  let stats: MarketplaceStats = { downloads: Object.create(null), ratings: Object.create(null) };
  const downloadCounter = new DownloadCounter((counts) => store.addDownloads(counts));
  let body!: SignedIndexBody;
  let indexDocument!: Buffer;
  let mutations: Promise<unknown> = Promise.resolve();
  let publisher: MetadataPublisher | undefined;
  const indexSigner = toMarketplaceSigner(options.signingKey);
  const inProcessKey = isMarketplaceSigner(options.signingKey) ? undefined : options.signingKey;
  // v2 signs in process (its repository signs as it builds): a key held elsewhere signs index.json only.
  const metadataSigners: MetadataSigners | undefined =
    options.metadata?.signers ??
    (inProcessKey === undefined
      ? undefined
      : { targets: [inProcessKey], snapshot: [inProcessKey], timestamp: [inProcessKey] });
  if (metadataSigners === undefined) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `the index is signed by ${indexSigner.description}; protocol v2's online roles sign in this process and need keys of their own (metadata.signers)`,
    );
  }
  const timestampLifetimeMs = options.metadata?.timestampLifetimeMs ?? 6 * 60 * 60 * 1000;

  const withStats = (entry: IndexPluginEntry): IndexPluginEntry => ({
    ...entry,
    downloads: stats.downloads[entry.plugin_id] ?? 0,
    ...ratingOf(stats, entry.plugin_id),
  });

  const serve = (nextBody: SignedIndexBody, document: Buffer, next: Catalog): void => {
    indexVersion = nextBody.version;
    catalog = next;
    body = nextBody;
    indexDocument = document;
  };

  // Loads what another instance signed, when the store holds a newer index than the one served.
  const catchUp = async (): Promise<void> => {
    const stored = await store.readIndexVersion();
    if (stored === undefined || stored === indexVersion) return;
    const document = await store.readSignedIndex();
    if (document === undefined) return;
    stats = await store.readStats();
    serve(document.signed, Buffer.from(serializeSignedIndex(document)), document.signed.plugins);
    await publisher?.reload();
  };

  // Signs `next` as the catalog (the signature first: a signer held elsewhere may fail, and then
  // nothing is written); `writeIndex` makes it the served one only once the index is written. The
  // version is the store's newest plus one, so instances sharing a store never sign one version twice.
  const signCatalog = async (next: Catalog): Promise<SignedCatalog> => {
    const now = new Date();
    const plugins: Catalog = {};
    for (const [pluginId, entry] of Object.entries(next)) plugins[pluginId] = withStats(entry);
    const nextBody: SignedIndexBody = {
      _type: INDEX_TYPE,
      protocol_version: MARKETPLACE_PROTOCOL_VERSION,
      version: Math.max(indexVersion, (await store.readIndexVersion()) ?? 0) + 1,
      expires: new Date(now.getTime() + options.indexLifetimeMs).toISOString(),
      signed_at: now.toISOString(),
      search_endpoint: SEARCH_PATH,
      plugins,
    };
    const document = await signIndexDocument(nextBody, indexSigner);
    return { body: nextBody, document, catalog: next };
  };
  const writeIndex = async (signed: SignedCatalog): Promise<void> => {
    await store.writeSignedIndex(signed.document, signed.body.version);
    serve(signed.body, signed.document, signed.catalog);
  };
  const sign = async (next: Catalog): Promise<void> => writeIndex(await signCatalog(next));

  // Changes run one at a time in this process and, through the store, one at a time across instances.
  const mutate = <T>(change: () => Promise<T>): Promise<T> => {
    const exclusive = () =>
      store.exclusive(async () => {
        await catchUp();
        return change();
      });
    const next = mutations.then(exclusive, exclusive);
    mutations = next.catch(() => undefined);
    return next;
  };

  await mutate(async () => {
    const document = await store.readSignedIndex();
    stats = await store.readStats();
    if (document !== undefined) {
      serve(document.signed, Buffer.from(serializeSignedIndex(document)), document.signed.plugins);
    } else {
      indexVersion = 0;
      catalog = await buildCatalogFromArchives(options);
    }
    await sign(catalog);
    const rootSigner = options.metadata?.rootSigner;
    publisher = await openMetadataPublisher({
      store,
      signers: metadataSigners,
      rootSigner: rootSigner === false ? undefined : (rootSigner ?? inProcessKey),
      lifetimes: {
        timestampMs: timestampLifetimeMs,
        ...(options.metadata?.snapshotLifetimeMs === undefined
          ? {}
          : { snapshotMs: options.metadata.snapshotLifetimeMs }),
      },
      searchEndpoint: SEARCH_PATH,
    });
    // Plugins the v2 tree lacks (a store from before v2, or built from archives) are signed now.
    await publisher.publish(catalog);
  });
  const metadata = publisher as unknown as MetadataPublisher;
  const renewTimer = setInterval(
    () => void mutate(() => metadata.renew()).catch(() => undefined),
    Math.max(1000, timestampLifetimeMs / 2),
  );
  renewTimer.unref();
  const resignTimer = setInterval(
    () => void mutate(() => sign(catalog)).catch(() => undefined),
    Math.max(1000, options.indexLifetimeMs / 2),
  );
  resignTimer.unref();
  const refreshIntervalMs = options.refreshIntervalMs ?? 2000;
  const refreshTimer =
    refreshIntervalMs > 0
      ? setInterval(() => void catchUp().catch(() => undefined), refreshIntervalMs)
      : undefined;
  refreshTimer?.unref();
  let statsTimer: NodeJS.Timeout | undefined;
  const statsChanged = (): void => {
    if (statsTimer !== undefined) return;
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      void mutate(async () => {
        await downloadCounter.flush();
        stats = await store.readStats();
        await sign(catalog);
      }).catch(() => undefined);
    }, options.statsResignDelayMs);
    statsTimer.unref();
  };

  const inspect = (archive: Buffer): Promise<ArchiveInspection> =>
    inspectArchive(archive, { validator: options.validator, extractionLimits: options.extractionLimits });

  // One publish of a round, behind its own savepoint: a refusal (conflict, dependency, namespace)
  // undoes what its hook wrote and leaves the other publishes of the round going.
  const listOne = async (next: Catalog, pending: PendingPublish): Promise<PublishArchiveResult> => {
    const { inspection, archive, changeOptions } = pending;
    const { plugin_id: pluginId, version } = inspection.manifest;
    return store.attempt(async () => {
      if (next[pluginId]?.versions[version] !== undefined) {
        throw new PluginError(
          'CONFLICT',
          `${pluginId} ${version} is already published; publish a new version`,
          {
            details: { pluginId, version },
          },
        );
      }
      checkPublishDependencies(inspection.manifest, next);
      const entry = catalogEntryWith(next, inspection, new Date().toISOString());
      assertListable(entry);
      await changeOptions.beforeWrite?.({ action: 'publish', pluginId, version });
      await store.writeArchive(formatArchiveName(pluginId, version), archive);
      // Written before signing: a version the index lists always has its report.
      await store.writeVersionDocument(
        pluginId,
        version,
        serializeVersionReport(createVersionReport(inspection)),
      );
      next[pluginId] = entry;
      return {
        plugin_id: pluginId,
        version,
        sha256: inspection.sha256,
        size: inspection.size,
        security_score: inspection.securityScore,
        risk_level: inspection.riskLevel,
        validation: inspection.validation,
      };
    });
  };

  // Group commit: every publish waiting when a round takes the lock is listed in it, then the round
  // signs once (v2 targets of the plugins listed, one snapshot and timestamp, one index) and commits.
  // A publish is answered only after its round committed.
  const publishes = createGroupCommit<PendingPublish, PublishArchiveResult>({
    maxBatch: MAX_PUBLISHES_PER_ROUND,
    run: (take) =>
      mutate(async () => {
        const batch = take();
        // One copy per round, not per publish: a publish costs its own entry, not the catalog's size.
        const next: Catalog = { ...catalog };
        const outcomes: RoundOutcome<PublishArchiveResult>[] = [];
        const listed: string[] = [];
        for (const pending of batch) {
          try {
            outcomes.push({ ok: true, value: await listOne(next, pending) });
            listed.push(pending.inspection.manifest.plugin_id);
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
        if (listed.length > 0) {
          // The index signature first (a signer held elsewhere may refuse), then v2: when either
          // fails, the v1 index (and so the served catalog) stays as it was.
          const signed = await signCatalog(next);
          await metadata.publish(next, [...new Set(listed)]);
          await writeIndex(signed);
        }
        return outcomes;
      }),
  });

  return {
    getIndex: () => body,
    getIndexDocument: () => indexDocument,
    async publish(archive, changeOptions = {}) {
      // Inspection (extraction, validation) and the archive bytes need no lock: uploads are
      // checked and stored side by side, and only the listing waits for a round.
      const inspection = await inspect(archive);
      enforceRiskPolicy(inspection, options);
      await store.prepareArchive(archive);
      return publishes.submit({ archive, inspection, changeOptions });
    },
    yank: (pluginId, version, yanked, changeOptions = {}) =>
      mutate(async () => {
        const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
        const versionEntry =
          entry !== undefined && Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
        if (entry === undefined || versionEntry === undefined) {
          throw new PluginError('NOT_FOUND', `${pluginId} ${version} is not published here`, {
            details: { pluginId, version },
          });
        }
        await changeOptions.beforeWrite?.({ action: yanked ? 'yank' : 'unyank', pluginId, version });
        const next = {
          ...catalog,
          [pluginId]: { ...entry, versions: { ...entry.versions, [version]: { ...versionEntry, yanked } } },
        };
        const signed = await signCatalog(next);
        await metadata.publish(next, [pluginId]);
        await writeIndex(signed);
      }),
    revoke: (pluginId, version, revocation, changeOptions = {}) =>
      mutate(async () => {
        if (revocation !== undefined) checkRevocation(revocation);
        const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
        const versionEntry =
          entry !== undefined && Object.hasOwn(entry.versions, version) ? entry.versions[version] : undefined;
        if (entry === undefined || versionEntry === undefined) {
          throw new PluginError('NOT_FOUND', `${pluginId} ${version} is not published here`, {
            details: { pluginId, version },
          });
        }
        await changeOptions.beforeWrite?.({
          action: revocation === undefined ? 'unrevoke' : 'revoke',
          pluginId,
          version,
        });
        const { revoked: _previous, ...rest } = versionEntry as typeof versionEntry & { revoked?: unknown };
        const changed =
          revocation === undefined
            ? rest
            : { ...rest, revoked: { ...revocation, revoked_at: new Date().toISOString() } };
        const next = {
          ...catalog,
          [pluginId]: { ...entry, versions: { ...entry.versions, [version]: changed } },
        };
        const signed = await signCatalog(next);
        await metadata.publish(next, [pluginId]);
        await writeIndex(signed);
      }),
    readMetadata: (path) => (isMetadataPath(path) ? store.readMetadata(path) : Promise.resolve(undefined)),
    search(query) {
      // The catalog object survives re-signing, so its prepared search index does too; counters are live.
      const results = searchIndex(
        { plugins: catalog },
        { ...query, downloadsOf: (pluginId) => stats.downloads[pluginId] ?? 0 },
      ).map((result) =>
        catalog[result.plugin_id] === undefined
          ? result
          : { ...result, rating: ratingOf(stats, result.plugin_id).rating },
      );
      return { protocol_version: MARKETPLACE_PROTOCOL_VERSION, index_version: body.version, results };
    },
    rank: (query) =>
      rankIndex(
        { plugins: catalog },
        { ...query, downloadsOf: (pluginId) => stats.downloads[pluginId] ?? 0 },
      ),
    ratingOf: (pluginId) => ratingOf(stats, pluginId).rating,
    getPlugin(pluginId) {
      const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
      return entry === undefined ? undefined : withStats(entry);
    },
    async getVersionReport(pluginId, version) {
      const entry = Object.hasOwn(catalog, pluginId) ? catalog[pluginId] : undefined;
      if (entry === undefined || !Object.hasOwn(entry.versions, version)) return undefined;
      const document = await store.readVersionDocument(pluginId, version);
      return document === undefined ? undefined : parseVersionReport(document);
    },
    async findArchive(fileName) {
      for (const entry of Object.values(catalog)) {
        for (const version of Object.keys(entry.versions)) {
          if (formatArchiveName(entry.plugin_id, version) !== fileName) continue;
          const archive = await store.openArchive(fileName);
          return archive === undefined ? undefined : { pluginId: entry.plugin_id, version, archive };
        }
      }
      return undefined;
    },
    recordDownload(pluginId) {
      stats.downloads[pluginId] = (stats.downloads[pluginId] ?? 0) + 1;
      downloadCounter.count(pluginId);
      statsChanged();
    },
    async rate(pluginId, rating, rater = 'anonymous') {
      if (!Object.hasOwn(catalog, pluginId)) throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
        throw new PluginError('INVALID_ARGUMENT', 'rating must be an integer from 1 to 5');
      }
      // Awaited first: a stats reload during the await replaces `stats`, and the new total belongs in it.
      const total = await store.addRating(pluginId, rater, rating);
      stats.ratings[pluginId] = total;
      statsChanged();
      return { plugin_id: pluginId, ...ratingOf(stats, pluginId) };
    },
    refresh: () => catchUp(),
    async close() {
      clearInterval(resignTimer);
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
