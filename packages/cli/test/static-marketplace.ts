import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/registry-client';
import {
  createSearchFile,
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  type IndexVersionEntry,
  SEARCH_FILE_PATH,
  type SigningKeyPair,
  type TargetsVersionEntry,
} from '@agentplug/registry-client/protocol';
import { createSingleKeyMetadata } from '../../registry-client/test/helpers/single-key-root';

/** One plugin version to publish: its plugin.json fields and extra files (config.json, ...). */
export interface StaticPluginVersion {
  pluginId: string;
  version: string;
  manifest?: Record<string, unknown>;
  files?: Record<string, string>;
}

/** A signed static marketplace on 127.0.0.1: what a CDN serving `agentplug` archives looks like. */
export interface StaticMarketplace {
  url: string;
  keys: SigningKeyPair;
  /** Packs and adds a version; call `sign()` to put it in the signed metadata. */
  publish(version: StaticPluginVersion): Promise<void>;
  /**
   * Signs the protocol v2 metadata of every version published so far (one key for every role, as
   * `marketplace build` does: new targets, snapshot and timestamp) and writes the search file.
   */
  sign(): void;
  /** Marks a published version revoked in the v2 metadata; call `sign()` to publish it. */
  revoke(
    pluginId: string,
    version: string,
    revocation: { reason: string; severity: 'low' | 'medium' | 'high' | 'critical' },
  ): void;
  close(): Promise<void>;
}

const GREETER_CODE = `export function createPlugin(metadata, config) {
  return { greet: ({ name }) => (config.greeting ?? 'Hello') + ', ' + name + '!' };
}
`;

/** Starts a static marketplace; each `publish` writes a plugin folder under `workspace` and packs it. */
export async function startStaticMarketplace(workspace: string): Promise<StaticMarketplace> {
  const keys = generateSigningKeyPair();
  const archives = new Map<string, Buffer>();
  const plugins = new Map<string, IndexPluginEntry>();
  const metadata = new Map<string, Uint8Array>();
  const revoked = new Map<string, TargetsVersionEntry['revoked']>();
  const { rootFile, repository } = createSingleKeyMetadata(keys);
  metadata.set(`/${rootFile.path}`, rootFile.bytes);
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '';
    const body = metadata.get(path) ?? archives.get(path);
    if (body === undefined) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-length': body.length });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    keys,
    async publish({ pluginId, version, manifest = {}, files = {} }) {
      const folder = join(workspace, 'published', `${pluginId}-${version}`);
      await mkdir(folder, { recursive: true });
      const full = {
        plugin_id: pluginId,
        name: `Plugin ${pluginId}`,
        version,
        description: `greets (${version})`,
        author: 'agentplug tests',
        plugin_type: 'tool',
        entry_point: 'main',
        capabilities: [
          {
            name: 'greet',
            description: 'Greets someone',
            parameters: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
          },
        ],
        permissions: {},
        ...manifest,
      };
      await writeFile(join(folder, 'plugin.json'), `${JSON.stringify(full, null, 2)}\n`);
      await writeFile(join(folder, 'main.js'), GREETER_CODE);
      for (const [name, content] of Object.entries(files)) await writeFile(join(folder, name), content);
      const packed = await packPlugin(folder);
      archives.set(`/archives/${formatArchiveName(pluginId, version)}`, packed.archive);
      const entry: IndexVersionEntry = {
        version,
        dependencies: packed.manifest.dependencies,
        min_runtime_version: packed.manifest.min_runtime_version,
        max_runtime_version: packed.manifest.max_runtime_version,
        permissions: packed.manifest.permissions,
        security_score: 95,
        risk_level: 'low',
        sha256: createHash('sha256').update(packed.archive).digest('hex'),
        size: packed.archive.length,
        published_at: '2026-01-01T00:00:00.000Z',
        yanked: false,
      };
      const plugin = plugins.get(pluginId) ?? {
        plugin_id: pluginId,
        name: full.name,
        description: full.description,
        plugin_type: 'tool' as const,
        tags: [],
        author: full.author,
        downloads: 0,
        rating: 0,
        rating_count: 0,
        versions: {},
      };
      plugin.versions[version] = entry;
      plugins.set(pluginId, plugin);
    },
    sign() {
      for (const [pluginId, entry] of plugins) {
        const versions = Object.create(null) as Record<string, TargetsVersionEntry>;
        for (const [version, value] of Object.entries(entry.versions)) {
          const revocation = revoked.get(`${pluginId}@${version}`);
          versions[version] = revocation === undefined ? { ...value } : { ...value, revoked: revocation };
        }
        repository.putTargets(pluginId, {
          plugin: {
            name: entry.name,
            description: entry.description,
            plugin_type: entry.plugin_type,
            tags: entry.tags,
            author: entry.author,
          },
          versions,
        });
      }
      for (const file of repository.commit()) metadata.set(`/${file.path}`, file.bytes);
      metadata.set(`/${SEARCH_FILE_PATH}`, createSearchFile(Object.fromEntries(plugins)));
    },
    revoke(pluginId, version, revocation) {
      revoked.set(`${pluginId}@${version}`, { ...revocation, revoked_at: new Date().toISOString() });
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
