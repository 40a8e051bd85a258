import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  isValidPluginId,
  PluginError,
  type PluginErrorCode,
  type PluginValidatorLike,
} from '@agentplug/models';
import {
  ARCHIVES_PATH,
  type ExtractionLimits,
  formatArchiveName,
  INDEX_PATH,
  INDEX_TYPE,
  MARKETPLACE_PROTOCOL_VERSION,
  type PublishArchiveResult,
  type SearchQuery,
  type SignedIndex,
  type SignedIndexBody,
  type SigningKey,
  searchIndex,
  serializeSignedIndex,
  signIndex,
  writeFileAtomic,
} from '@agentplug/registry-client';
import { addToCatalog, type Catalog } from './catalog';
import { createDefaultValidator } from './default-validator';
import { inspectArchive } from './inspect-archive';
import { type MarketplaceStats, readStats, StatsWriter } from './marketplace-stats';
import { enforceRiskPolicy, type RiskPolicy } from './risk-policy';

/** The search endpoint path, relative to the marketplace URL. */
export const SEARCH_ENDPOINT = 'api/v1/search';

/** Options of {@link createMarketplaceServer}. */
export interface MarketplaceServerOptions extends RiskPolicy {
  /** The store: `index.json`, `archives/`, `stats.json`. Created when missing; may hold a static build. */
  storeDirectory: string;
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
}

/** What was published: the body the server answers to a publish, as the registry client reads it. */
export type PublishResult = PublishArchiveResult;

/** A running marketplace server. */
export interface MarketplaceServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:41234/`. */
  url: string;
  host: string;
  port: number;
  /** The signed body currently served. */
  getIndex(): SignedIndexBody;
  /** Publishes an archive without HTTP (same checks as the endpoint). */
  publish(archive: Buffer): Promise<PublishResult>;
  /** Yanks (or with `yanked: false` restores) a version. */
  yank(pluginId: string, version: string, yanked?: boolean): Promise<void>;
  /** Stops serving, after writing stats. */
  close(): Promise<void>;
}

const STATUS_BY_CODE: Partial<Record<PluginErrorCode, number>> = {
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  PLUGIN_NOT_FOUND: 404,
  TOO_LARGE: 413,
  INVALID_ARGUMENT: 400,
  ARCHIVE_UNSAFE: 422,
  MANIFEST_NOT_FOUND: 422,
  MANIFEST_INVALID: 422,
  MANIFEST_UNREADABLE: 422,
  MANIFEST_TOO_LARGE: 422,
  VALIDATION_FAILED: 422,
};

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function sendError(response: ServerResponse, error: unknown): void {
  const pluginError = PluginError.is(error)
    ? error
    : new PluginError('INTERNAL', 'internal server error', { cause: error });
  const conflict = pluginError.code === 'INVALID_ARGUMENT' && pluginError.details.conflict === true;
  const status = conflict ? 409 : (STATUS_BY_CODE[pluginError.code] ?? 500);
  sendJson(response, status, { error: pluginError.toJSON() });
}

async function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new PluginError('TOO_LARGE', `the upload is ${declared} bytes; at most ${maxBytes} are accepted`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) throw new PluginError('TOO_LARGE', `the upload exceeds ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, total);
}

function tokensMatch(given: string, expected: string): boolean {
  const left = createHash('sha256').update(given).digest();
  const right = createHash('sha256').update(expected).digest();
  return timingSafeEqual(left, right);
}

async function loadCatalog(
  storeDirectory: string,
  options: { validator: PluginValidatorLike | undefined; extractionLimits?: ExtractionLimits },
): Promise<{ catalog: Catalog; version: number }> {
  try {
    const document = JSON.parse(await readFile(join(storeDirectory, INDEX_PATH), 'utf8')) as SignedIndex;
    return { catalog: document.signed.plugins, version: document.signed.version };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new PluginError('INVALID_ARGUMENT', `the store's ${INDEX_PATH} cannot be read`, { cause: error });
    }
  }
  // No index yet: build one from whatever archives the store holds.
  let catalog: Catalog = {};
  const archivesFolder = join(storeDirectory, ARCHIVES_PATH);
  for (const name of (await readdir(archivesFolder)).filter((file) => file.endsWith('.tgz')).sort()) {
    const path = join(archivesFolder, name);
    const inspection = await inspectArchive(await readFile(path), options);
    const published = (await stat(path)).mtime.toISOString();
    catalog = addToCatalog(catalog, inspection, published);
  }
  return { catalog, version: 0 };
}

/**
 * Starts the reference marketplace server over a store folder: the signed index and archives (the
 * static layout), search, publish and yank with a bearer token, download counts and ratings.
 * @throws PluginError INVALID_ARGUMENT (bad key or store), NETWORK_ERROR (cannot listen)
 * @example
 * const server = await createMarketplaceServer({ storeDirectory: './store', signingKey, publishToken: 'secret' });
 * console.log(server.url);
 */
export async function createMarketplaceServer(options: MarketplaceServerOptions): Promise<MarketplaceServer> {
  const storeDirectory = options.storeDirectory;
  await mkdir(join(storeDirectory, ARCHIVES_PATH), { recursive: true });
  const validator =
    options.validator === false ? undefined : (options.validator ?? (await createDefaultValidator()));
  const lifetimeMs = options.indexLifetimeMs ?? 7 * 24 * 60 * 60 * 1000;
  const maxUploadBytes = options.maxUploadBytes ?? 50 * 1024 * 1024;
  const loaded = await loadCatalog(storeDirectory, { validator, extractionLimits: options.extractionLimits });
  let catalog = loaded.catalog;
  let indexVersion = loaded.version;
  const stats: MarketplaceStats = await readStats(storeDirectory);
  const statsWriter = new StatsWriter(storeDirectory, stats);
  let body!: SignedIndexBody;
  let indexBytes!: Buffer;
  let mutations: Promise<unknown> = Promise.resolve();

  const withStats = (entry: Catalog[string]): Catalog[string] => {
    const rating = stats.ratings[entry.plugin_id];
    return {
      ...entry,
      downloads: stats.downloads[entry.plugin_id] ?? 0,
      rating:
        rating === undefined || rating.count === 0 ? 0 : Math.round((rating.sum / rating.count) * 100) / 100,
      rating_count: rating?.count ?? 0,
    };
  };

  const resign = async (): Promise<void> => {
    indexVersion += 1;
    const now = new Date();
    const plugins: Catalog = {};
    for (const [pluginId, entry] of Object.entries(catalog)) plugins[pluginId] = withStats(entry);
    const next: SignedIndexBody = {
      _type: INDEX_TYPE,
      protocol_version: MARKETPLACE_PROTOCOL_VERSION,
      version: indexVersion,
      expires: new Date(now.getTime() + lifetimeMs).toISOString(),
      signed_at: now.toISOString(),
      search_endpoint: SEARCH_ENDPOINT,
      plugins,
    };
    const bytes = Buffer.from(serializeSignedIndex(signIndex(next, options.signingKey)));
    await writeFileAtomic(join(storeDirectory, INDEX_PATH), bytes);
    body = next;
    indexBytes = bytes;
  };

  const mutate = <T>(change: () => Promise<T>): Promise<T> => {
    const next = mutations.then(change, change);
    mutations = next.catch(() => undefined);
    return next;
  };

  await resign();
  const resignTimer = setInterval(
    () => void mutate(resign).catch(() => undefined),
    Math.max(1000, lifetimeMs / 2),
  );
  resignTimer.unref();
  let statsTimer: NodeJS.Timeout | undefined;
  const statsChanged = (): void => {
    statsWriter.schedule();
    if (statsTimer !== undefined) return;
    statsTimer = setTimeout(() => {
      statsTimer = undefined;
      void mutate(resign).catch(() => undefined);
    }, options.statsResignDelayMs ?? 10_000);
    statsTimer.unref();
  };

  const publish = (archive: Buffer): Promise<PublishResult> =>
    mutate(async () => {
      const inspection = await inspectArchive(archive, {
        validator,
        extractionLimits: options.extractionLimits,
      });
      enforceRiskPolicy(inspection, options);
      const { plugin_id: pluginId, version } = inspection.manifest;
      if (catalog[pluginId]?.versions[version] !== undefined) {
        throw new PluginError(
          'INVALID_ARGUMENT',
          `${pluginId} ${version} is already published; publish a new version`,
          {
            details: { pluginId, version, conflict: true },
          },
        );
      }
      await writeFileAtomic(
        join(storeDirectory, ARCHIVES_PATH, formatArchiveName(pluginId, version)),
        archive,
      );
      catalog = addToCatalog(catalog, inspection, new Date().toISOString());
      await resign();
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

  const yank = (pluginId: string, version: string, yanked = true): Promise<void> =>
    mutate(async () => {
      const entry = catalog[pluginId];
      const versionEntry = entry?.versions[version];
      if (entry === undefined || versionEntry === undefined) {
        throw new PluginError('NOT_FOUND', `${pluginId} ${version} is not published here`, {
          details: { pluginId, version },
        });
      }
      catalog = {
        ...catalog,
        [pluginId]: { ...entry, versions: { ...entry.versions, [version]: { ...versionEntry, yanked } } },
      };
      await resign();
    });

  const requireToken = (request: IncomingMessage): void => {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (
      options.publishToken === undefined ||
      match === null ||
      !tokensMatch(match[1] ?? '', options.publishToken)
    ) {
      throw new PluginError(
        'UNAUTHORIZED',
        options.publishToken === undefined
          ? 'publishing is disabled on this server (no publish token is configured)'
          : 'a valid bearer token is required',
      );
    }
  };

  const archiveNames = (): Map<string, { pluginId: string; version: string }> => {
    const names = new Map<string, { pluginId: string; version: string }>();
    for (const entry of Object.values(catalog)) {
      for (const version of Object.keys(entry.versions)) {
        names.set(formatArchiveName(entry.plugin_id, version), { pluginId: entry.plugin_id, version });
      }
    }
    return names;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://marketplace.invalid');
    const path = url.pathname;
    const method = request.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && path === `/${INDEX_PATH}`) {
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': indexBytes.length,
        'cache-control': 'no-store',
      });
      response.end(method === 'HEAD' ? undefined : indexBytes);
      return;
    }
    if ((method === 'GET' || method === 'HEAD') && path.startsWith(`/${ARCHIVES_PATH}/`)) {
      const name = decodeURIComponent(path.slice(ARCHIVES_PATH.length + 2));
      const known = archiveNames().get(name);
      if (known === undefined) throw new PluginError('NOT_FOUND', `no archive named ${name}`);
      const file = join(storeDirectory, ARCHIVES_PATH, name);
      const info = await stat(file);
      response.writeHead(200, {
        'content-type': 'application/gzip',
        'content-length': info.size,
        'cache-control': 'public, max-age=31536000, immutable',
      });
      if (method === 'HEAD') {
        response.end();
        return;
      }
      stats.downloads[known.pluginId] = (stats.downloads[known.pluginId] ?? 0) + 1;
      statsChanged();
      createReadStream(file).pipe(response);
      return;
    }
    if (method === 'GET' && path === `/${SEARCH_ENDPOINT}`) {
      const query: SearchQuery = {
        query: url.searchParams.get('q') ?? undefined,
        pluginType: (url.searchParams.get('type') ?? undefined) as SearchQuery['pluginType'],
        tags:
          url.searchParams
            .get('tags')
            ?.split(',')
            .filter((tag) => tag !== '') ?? undefined,
        limit: Math.min(Number(url.searchParams.get('limit') ?? 20) || 20, 500),
      };
      // The catalog object survives re-signing, so its prepared search index does too; counters are live.
      const results = searchIndex(
        { plugins: catalog },
        { ...query, downloadsOf: (pluginId) => stats.downloads[pluginId] ?? 0 },
      ).map((result) => {
        const entry = catalog[result.plugin_id];
        return entry === undefined ? result : { ...result, rating: withStats(entry).rating };
      });
      sendJson(response, 200, {
        protocol_version: MARKETPLACE_PROTOCOL_VERSION,
        index_version: body.version,
        results,
      });
      return;
    }
    const pluginMatch = /^\/api\/v1\/plugins\/([^/]+)(?:\/(.*))?$/.exec(path);
    if (method === 'POST' && path === '/api/v1/plugins') {
      requireToken(request);
      const archive = await readRequestBody(request, maxUploadBytes);
      sendJson(response, 201, await publish(archive));
      return;
    }
    if (pluginMatch !== null) {
      const pluginId = decodeURIComponent(pluginMatch[1] ?? '');
      const rest = pluginMatch[2] ?? '';
      if (!isValidPluginId(pluginId))
        throw new PluginError('INVALID_ARGUMENT', `"${pluginId}" is not a plugin id`);
      const entry = catalog[pluginId];
      if (method === 'GET' && rest === '') {
        if (entry === undefined) throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
        sendJson(response, 200, withStats(entry));
        return;
      }
      const yankMatch = /^versions\/([^/]+)\/(yank|unyank)$/.exec(rest);
      if (method === 'POST' && yankMatch !== null) {
        requireToken(request);
        const version = decodeURIComponent(yankMatch[1] ?? '');
        await yank(pluginId, version, yankMatch[2] === 'yank');
        sendJson(response, 200, { plugin_id: pluginId, version, yanked: yankMatch[2] === 'yank' });
        return;
      }
      if (method === 'POST' && rest === 'ratings') {
        if (entry === undefined) throw new PluginError('NOT_FOUND', `no plugin ${pluginId}`);
        let rating: unknown;
        try {
          rating = (
            JSON.parse((await readRequestBody(request, 4096)).toString('utf8')) as { rating?: unknown }
          ).rating;
        } catch (error) {
          throw new PluginError('INVALID_ARGUMENT', 'send JSON { "rating": 1..5 }', { cause: error });
        }
        if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) {
          throw new PluginError('INVALID_ARGUMENT', 'rating must be an integer from 1 to 5');
        }
        const current = stats.ratings[pluginId] ?? { sum: 0, count: 0 };
        stats.ratings[pluginId] = { sum: current.sum + rating, count: current.count + 1 };
        statsChanged();
        const updated = withStats(entry);
        sendJson(response, 200, {
          plugin_id: pluginId,
          rating: updated.rating,
          rating_count: updated.rating_count,
        });
        return;
      }
    }
    throw new PluginError('NOT_FOUND', `no route for ${method} ${path}`);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // Drain what the client still sends so it reads our answer instead of a reset.
      request.resume();
      sendError(response, error);
    });
  });
  server.requestTimeout = 120_000;
  server.headersTimeout = 30_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        new PluginError('NETWORK_ERROR', `cannot listen on ${host}:${options.port ?? 0}`, { cause: error }),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/`,
    host,
    port,
    getIndex: () => body,
    publish,
    yank,
    close: async () => {
      clearInterval(resignTimer);
      if (statsTimer !== undefined) clearTimeout(statsTimer);
      await mutations;
      statsWriter.schedule();
      await statsWriter.flush();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
