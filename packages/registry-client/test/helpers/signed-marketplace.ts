import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { PluginMetadataInput } from '@agentplug/models';
import { PluginRegistry, type PluginRegistryOptions, packPlugin } from '../../src/index';
import {
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  type IndexVersionEntry,
  type SignedIndexBody,
  type SigningKeyPair,
  signIndex,
} from '../../src/protocol/index';
import { sendBytes, type TestRoute, type TestServer } from './hostile-server';
import { writePluginFolder } from './plugin-fixtures';

/** A packed plugin version as a marketplace serves it. */
export interface PublishedPlugin {
  pluginId: string;
  version: string;
  archive: Buffer;
  sha256: string;
  size: number;
  /** The index entry a correct marketplace signs for it (from its plugin.json). */
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

/** The index entry of a plugin with these versions. */
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

/** A signed index body listing these plugin versions. */
export function indexBodyOf(published: readonly PublishedPlugin[], version = 1): SignedIndexBody {
  const byPlugin = new Map<string, PublishedPlugin[]>();
  for (const plugin of published)
    byPlugin.set(plugin.pluginId, [...(byPlugin.get(plugin.pluginId) ?? []), plugin]);
  return {
    _type: 'agentplug-index',
    protocol_version: 1,
    version,
    expires: new Date(Date.now() + 3_600_000).toISOString(),
    signed_at: new Date().toISOString(),
    plugins: Object.fromEntries(
      [...byPlugin].map(([pluginId, versions]) => [pluginId, pluginEntryOf(versions)]),
    ),
  };
}

/** A marketplace of one signing key. */
export interface SignedMarketplace {
  keys: SigningKeyPair;
  /** Serves `index` (a document, or raw text) and the archives of `published` on `server`. */
  serve(index: unknown, published: readonly PublishedPlugin[], extra?: TestRoute): void;
  /** Signs a body with this marketplace's key. */
  sign(body: unknown): unknown;
}

/** A marketplace on a test server: its key signs, and `serve` sets what it answers. */
export function createSignedMarketplace(server: TestServer): SignedMarketplace {
  const keys = generateSigningKeyPair();
  return {
    keys,
    sign: (body) => signIndex(body as SignedIndexBody, keys),
    serve(index, published, extra) {
      const archives = new Map(
        published.map((plugin) => [
          `/archives/${formatArchiveName(plugin.pluginId, plugin.version)}`,
          plugin.archive,
        ]),
      );
      server.setRoute(async (request, response) => {
        const path = request.url ?? '';
        if (path === '/index.json') {
          return sendBytes(
            response,
            typeof index === 'string' ? index : JSON.stringify(index),
            'application/json',
          );
        }
        const archive = archives.get(path);
        if (archive !== undefined) return sendBytes(response, archive);
        return extra === undefined ? false : extra(request, response);
      });
    },
  };
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
    // These servers sign a v1 index only: the v1 protections are what these tests prove.
    protocol: 1,
    indexMaxAgeMs: 0,
    retries: 0,
    requestTimeoutMs: 2_000,
    stallTimeoutMs: 2_000,
    ...options,
  });
}
