import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import {
  type IndexPluginEntry,
  type PublishArchiveResult,
  type SigningKey,
  TIMESTAMP_PATH,
} from '@agentplug/registry-client/protocol';
import { addressOf, createAccessControl } from './http/access-control';
import { clientKeyOf } from './http/client-key';
import { limitConnectionsPerClient } from './http/connection-limit';
import { createMarketplaceRoutes } from './http/marketplace-routes';
import { createMarketplaceMetrics } from './http/metrics';
import { createOperationsRoutes } from './http/operations-routes';
import { createRateLimiter } from './http/rate-limiter';
import { createRequestListener } from './http/route-table';
import { createUploadReader } from './http/upload-reader';
import { createDefaultValidator } from './publish/default-validator';
import { inspectArchive } from './publish/inspect-archive';
import { createInspectionPool } from './publish/inspection-pool';
import { createInspectionQueue } from './publish/inspection-queue';
import type { RiskPolicy } from './publish/risk-policy';
import { createPublisherDirectory, type PublisherDirectory } from './publishers/publisher-directory';
import {
  type CatalogView,
  createMarketplaceService,
  type MetadataServiceOptions,
  type RevocationInput,
} from './service/marketplace-service';
import { type MarketplaceSigner, toMarketplaceSigner } from './signing/marketplace-signer';
import { type MarketplaceDatabaseOptions, openMarketplaceStore } from './store/open-marketplace-store';
import { createServiceCatalogReader } from './web/catalog-reader';
import { createCatalogRoutes } from './web/catalog-routes';

/** Options of {@link createMarketplaceServer}. */
export interface MarketplaceServerOptions extends RiskPolicy {
  /**
   * The store folder, created when missing. With the folder engine: `v2/`, `archives/`,
   * `stats.json` (may hold a static build); with SQL: `blobs/` (archives by sha256) and, for
   * PGlite, `database/`.
   */
  storeDirectory: string;
  /** Where the catalog lives. Default `{ engine: 'folder' }`; the `serve` command defaults to PGlite. */
  database?: MarketplaceDatabaseOptions;
  /** How often an instance looks for a snapshot another instance signed. Default 2 s. */
  refreshIntervalMs?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Bearer token for publish and yank. Without one, publishing is refused (UNAUTHORIZED). */
  publishToken?: string;
  /**
   * Signs the v2 metadata: a key (held in this process), or a {@link MarketplaceSigner} that holds
   * it elsewhere (`createCommandSigner`). By default it holds every online role (timestamp,
   * snapshot, targets) and signs root 1 of a new store; `metadata` gives roles keys of their own.
   */
  signingKey: SigningKey | MarketplaceSigner;
  /** Validates uploads; default a new `@agentplug/validator` PluginValidator. `false` skips validation. */
  validator?: PluginValidatorLike | false;
  /**
   * Worker threads that inspect uploads (extraction, the manifest, the default validator, the
   * sha256) off the event loop, so concurrent publishes use the other cores. Default 0 (inspected on
   * the event loop); on a machine with cores to spare, one less than the cores. The workers start
   * with the server. A `validator` object of your own cannot move to a worker: with one, uploads are
   * inspected on the event loop whatever this says.
   */
  inspectionWorkers?: number;
  /**
   * Uploads inspected at once on the event loop (without `inspectionWorkers`; with them, the pool's
   * size bounds it): each holds its archive's inflated content in memory. Default 2.
   */
  maxConcurrentInspections?: number;
  /** Delay before changed download counts and ratings show in the web catalog's lists. Default 10 s. */
  statsResignDelayMs?: number;
  /** Largest upload accepted. Default 50 MiB. */
  maxUploadBytes?: number;
  /**
   * Uploads received at once. When all are taken, a publisher holding several yields its newest to a
   * publisher holding fewer; otherwise one more is answered UNAVAILABLE (503). Default 8.
   */
  maxConcurrentUploads?: number;
  /** Longest wait for the next bytes of an upload; past it the upload is refused with TIMEOUT (504). Default 15 s. */
  uploadStallTimeoutMs?: number;
  /** Requests a minute one address (an IPv6 address by its /64) may make (burst the same). Default 1,200; 0 turns it off. */
  requestsPerMinutePerAddress?: number;
  /**
   * Connections one address (an IPv6 address by its /64) may hold open at once; past it a new one is
   * closed as it arrives, so idle or slow connections from one client cannot take every file
   * descriptor. Default 64; 0 turns it off.
   */
  maxConnectionsPerAddress?: number;
  /** Publishes, yanks and ratings a minute one token may make. Default 120; 0 turns it off. */
  writesPerMinutePerToken?: number;
  /** Longest wait for in-flight requests (publishes) on close. Default 30 s. */
  shutdownTimeoutMs?: number;
  /** Where each request's log line goes (one JSON object: time, request id, route, status, ...). Default none. */
  logRequest?: (line: string) => void;
  extractionLimits?: ExtractionLimits;
  /** Protocol v2 keys and lifetimes; by default `signingKey` holds every role (root 1 of 1). */
  metadata?: MetadataServiceOptions;
  /**
   * The URL clients reach this marketplace at, when it is not the address it listens on (behind a
   * proxy): the web catalog's install commands show it. Default the server's own URL.
   */
  publicUrl?: string;
}

/** What was published: the body the server answers to a publish, as the registry client reads it. */
export type PublishResult = PublishArchiveResult;

/** A running marketplace server. */
export interface MarketplaceServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  host: string;
  port: number;
  /** The web catalog's home page (the public URL), e.g. `http://127.0.0.1:41234/`. */
  catalogUrl: string;
  /** The catalog served now: the v2 snapshot version that signs it and every plugin. */
  getCatalog(): CatalogView;
  /** A plugin's catalog entry with live download counts and ratings, or undefined. */
  getPlugin(pluginId: string): IndexPluginEntry | undefined;
  /**
   * Publishes an archive without HTTP (same checks as the endpoint).
   * @throws PluginError CONFLICT (the version is already published), VALIDATION_FAILED, ARCHIVE_UNSAFE, TOO_LARGE, MANIFEST_INVALID
   */
  publish(archive: Buffer): Promise<PublishResult>;
  /**
   * Yanks (or with `yanked: false` restores) a version.
   * @throws PluginError NOT_FOUND
   */
  yank(pluginId: string, version: string, yanked?: boolean): Promise<void>;
  /**
   * Revokes a version with a reason (or withdraws the revocation with `undefined`), signed into its v2 targets.
   * @throws PluginError NOT_FOUND, INVALID_ARGUMENT
   */
  revoke(pluginId: string, version: string, revocation: RevocationInput | undefined): Promise<void>;
  /** Publisher accounts, namespaces, tokens and the audit log; undefined on the folder engine. */
  publishers: PublisherDirectory | undefined;
  /**
   * Stops taking requests, lets in-flight ones (publishes) finish (up to `shutdownTimeoutMs`),
   * writes the counters and closes the database.
   */
  close(): Promise<void>;
}

/**
 * Starts the reference marketplace server over a store: the signed v2 metadata and archives, search,
 * publish and yank (publisher tokens scoped to namespaces on SQL; the shared operator token on any
 * engine), download counts and ratings, the web catalog at `/` (server-rendered pages for people
 * choosing plugins), `/healthz`, `/readyz` and `/metrics`, with upload, rate and size limits. The
 * server is three parts: a store (no HTTP), the marketplace service over it (catalog, signing,
 * policy), and a route table answering HTTP.
 * @throws PluginError INVALID_ARGUMENT (bad key or store), UNAVAILABLE (the database cannot be opened), NETWORK_ERROR (cannot listen)
 * @example
 * const server = await createMarketplaceServer({ storeDirectory: './store', signingKey, publishToken: 'secret' });
 * console.log(server.url);
 */
export async function createMarketplaceServer(options: MarketplaceServerOptions): Promise<MarketplaceServer> {
  // Resolved first, so a bad key fails before anything listens; the catalog shows the public half.
  const signer = toMarketplaceSigner(options.signingKey);
  const metrics = createMarketplaceMetrics();
  const opened = await openMarketplaceStore(options.storeDirectory, options.database ?? { engine: 'folder' });
  const store = opened.store;
  const publishers =
    opened.database === undefined ? undefined : createPublisherDirectory(opened.database, opened.schema);
  const workers = Math.max(0, Math.floor(options.inspectionWorkers ?? 0));
  const pool =
    workers > 0 && (options.validator === undefined || options.validator === false)
      ? createInspectionPool({
          size: workers,
          validate: options.validator === undefined,
          extractionLimits: options.extractionLimits,
        })
      : undefined;
  const validator =
    options.validator === false ? undefined : (options.validator ?? (await createDefaultValidator()));
  const inspections = createInspectionQueue(options.maxConcurrentInspections ?? 2);
  const service = await createMarketplaceService({
    inspectUpload:
      pool === undefined
        ? (archive: Buffer) =>
            inspections(() =>
              inspectArchive(archive, { validator, extractionLimits: options.extractionLimits }),
            )
        : (archive: Buffer) => pool.inspect(archive),
    store,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
    signingKey: options.signingKey,
    validator,
    maxRiskLevel: options.maxRiskLevel,
    minSecurityScore: options.minSecurityScore,
    statsResignDelayMs: options.statsResignDelayMs ?? 10_000,
    extractionLimits: options.extractionLimits,
    metadata: options.metadata,
    onPublishRound: (size) => metrics.observeRound(size),
    writeAudit: publishers === undefined ? undefined : (entries) => publishers.audit(entries),
  }).catch(async (error: unknown) => {
    await pool?.close();
    await opened.close().catch(() => undefined);
    throw error;
  });
  const tokenLimit = options.writesPerMinutePerToken ?? 120;
  const tokenLimiter = tokenLimit > 0 ? createRateLimiter({ perMinute: tokenLimit }) : undefined;
  const addressLimit = options.requestsPerMinutePerAddress ?? 1200;
  const addressLimiter = addressLimit > 0 ? createRateLimiter({ perMinute: addressLimit }) : undefined;
  const access = createAccessControl({
    publishToken: options.publishToken,
    directory: publishers,
    tokenLimiter,
  });
  const uploads = createUploadReader({
    maxBytes: options.maxUploadBytes ?? 50 * 1024 * 1024,
    maxConcurrent: options.maxConcurrentUploads ?? 8,
    spoolDirectory: join(tmpdir(), 'agentplug-marketplace-uploads'),
    stallTimeoutMs: options.uploadStallTimeoutMs ?? 15_000,
  });
  let closing = false;
  let inFlight = 0;
  const routes = [
    ...createOperationsRoutes({
      metrics,
      gauges: () => ({
        uploads_in_progress: uploads.active,
        requests_in_flight: inFlight,
        snapshot_version: service.getCatalog().version,
      }),
      ready: async () => {
        if (closing) throw new PluginError('UNAVAILABLE', 'the server is shutting down');
        try {
          await store.readMetadata(TIMESTAMP_PATH);
        } catch (error) {
          throw new PluginError('UNAVAILABLE', 'the store cannot be read', { cause: error });
        }
      },
    }),
    ...createMarketplaceRoutes(service, {
      access,
      readUpload: (request, caller) => uploads.read(request, caller),
      published: () => metrics.countPublish(),
    }),
  ];
  const site = {
    marketplaceUrl: '',
    publicKey: signer.publicKey,
    keyId: signer.keyId,
  };
  routes.push(...createCatalogRoutes(createServiceCatalogReader(service), site));
  const listener = createRequestListener(routes, {
    admit(request) {
      if (closing)
        throw new PluginError('UNAVAILABLE', 'the server is shutting down', {
          details: { retryAfterSeconds: 1 },
        });
      const wait = addressLimiter?.take(`address:${clientKeyOf(request.socket?.remoteAddress)}`);
      if (wait !== undefined) {
        throw new PluginError('RATE_LIMITED', `too many requests from ${addressOf(request)}`, {
          details: { retryAfterSeconds: wait },
        });
      }
    },
    observe(record) {
      metrics.observe(record);
      options.logRequest?.(
        JSON.stringify({
          time: new Date().toISOString(),
          level: record.status >= 500 ? 'error' : 'info',
          ...record,
        }),
      );
    },
  });
  // Timeouts are checked every 5 s (Node's default is 30 s), so a slow header is cut near its 30 s.
  const server = createServer(
    { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 5_000 },
    (request, response) => {
      inFlight += 1;
      response.once('close', () => {
        inFlight -= 1;
      });
      listener(request, response);
    },
  );
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  const connectionsPerAddress = options.maxConnectionsPerAddress ?? 64;
  if (connectionsPerAddress > 0) limitConnectionsPerClient(server, connectionsPerAddress);
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) =>
        reject(
          new PluginError('NETWORK_ERROR', `cannot listen on ${host}:${options.port ?? 0}`, { cause: error }),
        ),
      );
      server.listen(options.port ?? 0, host, () => resolve());
    });
  } catch (error) {
    await service.close();
    await pool?.close();
    await opened.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  site.marketplaceUrl = options.publicUrl === undefined ? url : new URL(options.publicUrl).href;
  let closed: Promise<void> | undefined;
  return {
    url,
    catalogUrl: site.marketplaceUrl,
    host,
    port,
    getCatalog: () => service.getCatalog(),
    getPlugin: (pluginId) => service.getPlugin(pluginId),
    publish: (archive) => service.publish(archive),
    yank: (pluginId, version, yanked = true) => service.yank(pluginId, version, yanked),
    revoke: (pluginId, version, revocation) => service.revoke(pluginId, version, revocation),
    publishers,
    close() {
      closed ??= (async () => {
        closing = true;
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // In-flight requests (a publish being signed) finish; new ones are refused meanwhile.
        const deadline = Date.now() + (options.shutdownTimeoutMs ?? 30_000);
        while (inFlight > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
        server.closeAllConnections();
        await stopped;
        await service.close();
        await pool?.close();
        await opened.close();
      })();
      return closed;
    },
  };
}
