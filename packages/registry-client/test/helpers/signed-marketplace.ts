import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PluginMetadataInput } from '@agentplug/models';
import { PluginRegistry, type PluginRegistryOptions, packPlugin } from '../../src/index';
import {
  createSearchFile,
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  type IndexVersionEntry,
  type MetadataRepository,
  SEARCH_FILE_PATH,
  type SigningKeyPair,
  type TargetsVersionEntry,
} from '../../src/protocol/index';
import { sendBytes, type TestRoute, type TestServer } from './hostile-server';
import { writePluginFolder } from './plugin-fixtures';
import { createSingleKeyMetadata } from './single-key-root';

/** A packed plugin version as a marketplace serves it. */
export interface PublishedPlugin {
  pluginId: string;
  version: string;
  archive: Buffer;
  sha256: string;
  size: number;
  /** The version entry a correct marketplace signs for it (from its plugin.json). */
  entry: IndexVersionEntry;
}

/** Packs a plugin folder written from `manifest` and describes it as an honest marketplace would. */
export async function publishPlugin(
  root: string,
  manifest: Partial<PluginMetadataInput> & { plugin_id: string; version: string },
  extraFiles: Record<string, string | Buffer> = {},
): Promise<PublishedPlugin> {
  const packed = await packPlugin(await writePluginFolder(root, manifest, extraFiles));
  const entry: IndexVersionEntry = {
    version: manifest.version,
    dependencies: packed.manifest.dependencies,
    min_runtime_version: packed.manifest.min_runtime_version,
    max_runtime_version: packed.manifest.max_runtime_version,
    permissions: packed.manifest.permissions,
    security_score: 100,
    risk_level: 'low',
    sha256: createHash('sha256').update(packed.archive).digest('hex'),
    size: packed.archive.length,
    published_at: '2026-01-01T00:00:00.000Z',
    yanked: false,
  };
  return {
    pluginId: manifest.plugin_id,
    version: manifest.version,
    archive: packed.archive,
    sha256: entry.sha256,
    size: entry.size,
    entry,
  };
}

/** The catalog entry of a plugin with these versions. */
export function pluginEntryOf(published: readonly PublishedPlugin[]): IndexPluginEntry {
  const first = published[0] as PublishedPlugin;
  return {
    plugin_id: first.pluginId,
    name: first.pluginId,
    description: `the ${first.pluginId} plugin`,
    plugin_type: 'tool',
    tags: ['test'],
    author: 'tests',
    downloads: 0,
    rating: 0,
    rating_count: 0,
    versions: Object.fromEntries(published.map((plugin) => [plugin.version, plugin.entry])),
  };
}

/** What a marketplace lists: plugin id to its entry (every version, as its targets will sign it). */
export type Catalog = Record<string, IndexPluginEntry>;

/** The catalog listing these plugin versions. */
export function catalogOf(published: readonly PublishedPlugin[]): Catalog {
  const byPlugin = new Map<string, PublishedPlugin[]>();
  for (const plugin of published)
    byPlugin.set(plugin.pluginId, [...(byPlugin.get(plugin.pluginId) ?? []), plugin]);
  return Object.fromEntries([...byPlugin].map(([pluginId, versions]) => [pluginId, pluginEntryOf(versions)]));
}

/** Options of {@link SignedMarketplace.serve}. */
export interface ServeOptions {
  /** Answers before the marketplace's own files (return false to fall through). */
  extra?: TestRoute;
  /** The clock the timestamp and snapshot are signed at (their expiry follows from it). */
  now?: Date;
}

/**
 * A protocol v2 marketplace of one signing key holding every role (what `agentplug marketplace
 * serve` and `build` create), so `trustedKeys: [keys.publicKey]` pins its root 1.
 */
export interface SignedMarketplace {
  keys: SigningKeyPair;
  /** Every metadata file it ever signed, by path (consistent snapshots keep the old ones). */
  files: Map<string, Uint8Array>;
  /** How many requests it answered `304 Not Modified` (a matching If-None-Match, as the reference server does). */
  notModified: number;
  repository: MetadataRepository;
  /**
   * Signs `catalog` (new targets for every plugin in it, plugins left out dropped from the tree, a
   * new snapshot and timestamp), writes the search file, and serves the metadata and the archives
   * of `published` on the server.
   */
  serve(catalog: Catalog, published: readonly PublishedPlugin[], options?: ServeOptions): void;
  /** Serves what is already signed, with other archives or another `extra`; signs nothing. */
  serveSigned(published: readonly PublishedPlugin[], options?: Pick<ServeOptions, 'extra'>): void;
}

/** A v2 marketplace on a test server: its key signs, and `serve` sets what it answers. */
export function createSignedMarketplace(
  server: TestServer,
  options: { searchEndpoint?: string; timestampMs?: number } = {},
): SignedMarketplace {
  const keys = generateSigningKeyPair();
  const files = new Map<string, Uint8Array>();
  const { rootFile, repository } = createSingleKeyMetadata(keys, {
    rootLifetimeMs: 365 * 24 * 60 * 60 * 1000,
    repository: {
      searchEndpoint: options.searchEndpoint,
      lifetimes: options.timestampMs === undefined ? undefined : { timestampMs: options.timestampMs },
    },
  });
  files.set(rootFile.path, rootFile.bytes);
  const marketplace: SignedMarketplace = {
    keys,
    files,
    notModified: 0,
    repository,
    serve(catalog, published, serveOptions = {}) {
      for (const pluginId of repository.pluginIds())
        if (!Object.hasOwn(catalog, pluginId)) repository.removeTargets(pluginId);
      for (const [pluginId, entry] of Object.entries(catalog)) {
        repository.putTargets(pluginId, {
          plugin: {
            name: entry.name,
            description: entry.description,
            plugin_type: entry.plugin_type,
            tags: entry.tags,
            author: entry.author,
          },
          versions: entry.versions as Record<string, TargetsVersionEntry>,
        });
      }
      for (const file of repository.commit(serveOptions.now)) files.set(file.path, file.bytes);
      files.set(SEARCH_FILE_PATH, createSearchFile(catalog));
      marketplace.serveSigned(published, serveOptions);
    },
    serveSigned(published, serveOptions = {}) {
      const archives = new Map(
        published.map((plugin) => [
          `/archives/${formatArchiveName(plugin.pluginId, plugin.version)}`,
          plugin.archive,
        ]),
      );
      server.setRoute(async (request, response) => {
        if (serveOptions.extra !== undefined && (await serveOptions.extra(request, response))) return true;
        const path = request.url ?? '';
        const file = files.get(decodeURIComponent(path.slice(1)));
        if (file !== undefined) {
          const etag = `"${createHash('sha256').update(file).digest('hex').slice(0, 32)}"`;
          if (request.headers['if-none-match'] === etag) {
            marketplace.notModified += 1;
            response.writeHead(304, { etag });
            response.end();
            return true;
          }
          response.writeHead(200, {
            'content-type': 'application/json',
            'content-length': file.byteLength,
            etag,
          });
          response.end(file);
          return true;
        }
        const archive = archives.get(path);
        return archive === undefined ? false : sendBytes(response, archive);
      });
    },
  };
  return marketplace;
}

/** A registry on `root/plugins` and `root/cache` that trusts `marketplace`, with short network timeouts. */
export function openRegistry(
  root: string,
  server: TestServer,
  marketplace: SignedMarketplace,
  options: Partial<PluginRegistryOptions> = {},
): PluginRegistry {
  return new PluginRegistry({
    pluginDirectory: join(root, 'plugins'),
    cacheDirectory: join(root, 'cache'),
    marketplaceUrl: server.url,
    trustedKeys: [marketplace.keys.publicKey],
    indexMaxAgeMs: 0,
    retries: 0,
    requestTimeoutMs: 2_000,
    stallTimeoutMs: 2_000,
    ...options,
  });
}
