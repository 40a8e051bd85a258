import { createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PluginError, type PluginValidatorLike } from '@agentplug/models';
import type { ExtractionLimits } from '@agentplug/registry-client';
import {
  type PublishArchiveResult,
  resolvePrivateKey,
  type SignedIndexBody,
  type SigningKey,
} from '@agentplug/registry-client/protocol';
import { createMarketplaceRoutes } from './http/marketplace-routes';
import { createRequestListener } from './http/route-table';
import { createDefaultValidator } from './publish/default-validator';
import type { RiskPolicy } from './publish/risk-policy';
import {
  createMarketplaceService,
  type MetadataServiceOptions,
  type RevocationInput,
} from './service/marketplace-service';
import { type MarketplaceDatabaseOptions, openMarketplaceStore } from './store/open-marketplace-store';
import { createServiceCatalogReader } from './web/catalog-reader';
import { createCatalogRoutes } from './web/catalog-routes';

/** Options of {@link createMarketplaceServer}. */
export interface MarketplaceServerOptions extends RiskPolicy {
  /**
   * The store folder, created when missing. With the folder engine: `index.json`, `archives/`,
   * `stats.json` (may hold a static build); with SQL: `blobs/` (archives by sha256) and, for
   * PGlite, `database/`.
   */
  storeDirectory: string;
  /** Where the catalog lives. Default `{ engine: 'folder' }`; the `serve` command defaults to PGlite. */
  database?: MarketplaceDatabaseOptions;
  /** How often an instance looks for an index another instance signed. Default 2 s. */
  refreshIntervalMs?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (any free port). */
  port?: number;
  /** Bearer token for publish and yank. Without one, publishing is refused (UNAUTHORIZED). */
  publishToken?: string;
  /** Signs the index. */
  signingKey: SigningKey;
  /** Validates uploads; default a new `@agentplug/validator` PluginValidator. `false` skips validation. */
  validator?: PluginValidatorLike | false;
  /** How long each signed index stays valid; it is re-signed at half that. Default 7 days. */
  indexLifetimeMs?: number;
  /** Delay before changed download counts and ratings are signed into the index. Default 10 s. */
  statsResignDelayMs?: number;
  /** Largest upload accepted. Default 50 MiB. */
  maxUploadBytes?: number;
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
  /** The signed body currently served. */
  getIndex(): SignedIndexBody;
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
  /** Stops serving, after writing stats. */
  close(): Promise<void>;
}

/**
 * Starts the reference marketplace server over a store folder: the signed index and archives (the
 * static layout), search, publish and yank with a bearer token, download counts and ratings, and the
 * web catalog at `/` (server-rendered pages for people choosing plugins). The
 * server is three parts: a folder store (no HTTP), the marketplace service over it (catalog,
 * signing, policy), and a route table answering HTTP.
 * @throws PluginError INVALID_ARGUMENT (bad key or store), NETWORK_ERROR (cannot listen)
 * @example
 * const server = await createMarketplaceServer({ storeDirectory: './store', signingKey, publishToken: 'secret' });
 * console.log(server.url);
 */
export async function createMarketplaceServer(options: MarketplaceServerOptions): Promise<MarketplaceServer> {
  // Resolved first, so a bad key fails before anything listens; the catalog shows the public half.
  const resolvedKey = resolvePrivateKey(options.signingKey);
  const opened = await openMarketplaceStore(options.storeDirectory, options.database ?? { engine: 'folder' });
  const store = opened.store;
  const service = await createMarketplaceService({
    store,
    ...(options.refreshIntervalMs === undefined ? {} : { refreshIntervalMs: options.refreshIntervalMs }),
    signingKey: options.signingKey,
    validator:
      options.validator === false ? undefined : (options.validator ?? (await createDefaultValidator())),
    maxRiskLevel: options.maxRiskLevel,
    minSecurityScore: options.minSecurityScore,
    indexLifetimeMs: options.indexLifetimeMs ?? 7 * 24 * 60 * 60 * 1000,
    statsResignDelayMs: options.statsResignDelayMs ?? 10_000,
    extractionLimits: options.extractionLimits,
    metadata: options.metadata,
  }).catch(async (error: unknown) => {
    await opened.close().catch(() => undefined);
    throw error;
  });
  const routes = createMarketplaceRoutes(service, {
    publishToken: options.publishToken,
    maxUploadBytes: options.maxUploadBytes ?? 50 * 1024 * 1024,
  });
  const site = {
    marketplaceUrl: '',
    publicKey: createPublicKey(resolvedKey.key).export({ type: 'spki', format: 'der' }).toString('base64'),
    keyId: resolvedKey.keyId,
  };
  routes.push(...createCatalogRoutes(createServiceCatalogReader(service), site));
  const server = createServer(createRequestListener(routes));
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
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
    await opened.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  site.marketplaceUrl = options.publicUrl === undefined ? url : new URL(options.publicUrl).href;
  return {
    url,
    catalogUrl: site.marketplaceUrl,
    host,
    port,
    getIndex: () => service.getIndex(),
    publish: (archive) => service.publish(archive),
    yank: (pluginId, version, yanked = true) => service.yank(pluginId, version, yanked),
    revoke: (pluginId, version, revocation) => service.revoke(pluginId, version, revocation),
    close: async () => {
      await service.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await opened.close();
    },
  };
}
