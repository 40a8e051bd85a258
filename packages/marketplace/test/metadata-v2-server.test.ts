import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { type NetworkOptions, PluginRegistry, packPlugin, TrustedMetadata } from '@agentplug/registry-client';
import { TIMESTAMP_PATH } from '@agentplug/registry-client/protocol';
import { PluginValidator } from '@agentplug/validator';
import { afterEach, describe, expect, it } from 'vitest';
import { createTemporaryFolder, writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import {
  createMarketplaceServer,
  generateSigningKeyPair,
  type MarketplaceServer,
  type MarketplaceServerOptions,
} from '../src/index';

const TOKEN = 'publish-secret';
const keys = generateSigningKeyPair();
const network: NetworkOptions = {
  fetch: (input, init) => fetch(input, init),
  requestTimeoutMs: 10_000,
  stallTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  retries: 0,
  retryDelayMs: 10,
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(
  storeDirectory: string,
  database: MarketplaceServerOptions['database'],
): Promise<MarketplaceServer> {
  const server = await createMarketplaceServer({
    storeDirectory,
    database,
    signingKey: keys,
    publishToken: TOKEN,
    validator: false,
    refreshIntervalMs: 0,
  });
  let closed = false;
  cleanups.push(async () => {
    if (!closed) await server.close();
  });
  const close = server.close;
  server.close = async () => {
    closed = true;
    await close();
  };
  return server;
}

async function archiveOf(
  root: string,
  pluginId: string,
  version: string,
  dependencies: { plugin_id: string; version_constraint: string }[] = [],
): Promise<Buffer> {
  const folder = await writePluginFolder(root, { plugin_id: pluginId, version, dependencies });
  return (await packPlugin(folder)).archive;
}

async function post(
  server: MarketplaceServer,
  path: string,
  body: unknown,
  token = TOKEN,
): Promise<Response> {
  return fetch(new URL(path, server.url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

for (const engine of ['folder', 'pglite'] as const) {
  describe(`the reference server signs and serves protocol v2 (${engine} store)`, {
    timeout: 180_000,
  }, () => {
    it('serves verified metadata, revocations, 304s, and continues its versions after a restart', async () => {
      const root = await createTemporaryFolder();
      const storeDirectory = join(root, 'store');
      const database = { engine } as MarketplaceServerOptions['database'];
      let server = await start(storeDirectory, database);
      const published = await server.publish(await archiveOf(root, 'com.example.alpha', '1.0.0'));
      await server.publish(await archiveOf(root, 'com.example.beta', '1.0.0'));

      const rootResponse = await fetch(new URL('v2/root/1.json', server.url));
      expect(rootResponse.headers.get('cache-control')).toContain('immutable');
      const trustedRoot = Buffer.from(await rootResponse.arrayBuffer());
      const cacheDirectory = join(root, 'cache');
      const connect = (url: string) =>
        new TrustedMetadata({ marketplaceUrl: url, trustedRoot, network, cacheDirectory });
      let client = connect(server.url);
      const alpha = await client.getTargets('com.example.alpha');
      expect(alpha?.versions['1.0.0']).toMatchObject({ sha256: published.sha256, size: published.size });
      expect(client.current?.snapshot.search_endpoint).toBe('api/v1/search');

      // Unchanged: one 304.
      await client.refresh();
      expect(client.traffic.notModified).toBe(1);

      // A refused revocation changes nothing; an accepted one is signed into the targets.
      const timestampBefore = await (await fetch(new URL(TIMESTAMP_PATH, server.url))).text();
      const unauthorized = await post(
        server,
        'api/v1/plugins/com.example.alpha/versions/1.0.0/revoke',
        { reason: 'x' },
        'wrong',
      );
      expect(unauthorized.status).toBe(401);
      const noReason = await post(server, 'api/v1/plugins/com.example.alpha/versions/1.0.0/revoke', {
        severity: 'critical',
      });
      expect(noReason.status).toBe(400);
      expect(((await noReason.json()) as { error: { code: string } }).error.code).toBe('INVALID_ARGUMENT');
      const unknown = await post(server, 'api/v1/plugins/com.example.alpha/versions/9.9.9/revoke', {
        reason: 'x',
      });
      expect(unknown.status).toBe(404);
      expect(await (await fetch(new URL(TIMESTAMP_PATH, server.url))).text()).toBe(timestampBefore);
      const revoked = await post(server, 'api/v1/plugins/com.example.alpha/versions/1.0.0/revoke', {
        reason: 'steals credentials',
        severity: 'critical',
      });
      expect(revoked.status).toBe(200);
      await client.refresh();
      expect((await client.getTargets('com.example.alpha'))?.versions['1.0.0']?.revoked).toMatchObject({
        reason: 'steals credentials',
        severity: 'critical',
      });

      // A restart over the same store continues every version: the client sees no rollback.
      await server.close();
      server = await start(storeDirectory, database);
      await server.publish(await archiveOf(root, 'com.example.alpha', '1.1.0'));
      client = connect(server.url);
      const after = await client.getTargets('com.example.alpha');
      expect(Object.keys(after?.versions ?? {}).sort()).toEqual(['1.0.0', '1.1.0']);
      expect(after?.versions['1.0.0']?.revoked?.reason).toBe('steals credentials');
      expect((await client.getTargets('com.example.beta'))?.version).toBe(1);

      const withdrawn = await post(server, 'api/v1/plugins/com.example.alpha/versions/1.0.0/unrevoke', {});
      expect(withdrawn.status).toBe(200);
      await client.refresh();
      expect((await client.getTargets('com.example.alpha'))?.versions['1.0.0']?.revoked).toBeUndefined();
    });
  });
}

describe('PluginRegistry over protocol v2 (a trusted root configured)', { timeout: 180_000 }, () => {
  it('installs through v2 metadata, refuses a revoked version, and reports an installed one that gets revoked', async () => {
    const root = await createTemporaryFolder();
    const server = await start(join(root, 'store'), { engine: 'folder' });
    await server.publish(await archiveOf(root, 'com.example.base', '1.0.0'));
    await server.publish(await archiveOf(root, 'com.example.base', '1.1.0'));
    await server.publish(
      await archiveOf(root, 'com.example.app', '1.0.0', [
        { plugin_id: 'com.example.base', version_constraint: '^1.0.0' },
      ]),
    );
    const trustedRoot = Buffer.from(await (await fetch(new URL('v2/root/1.json', server.url))).arrayBuffer());
    const registry = new PluginRegistry({
      pluginDirectory: join(root, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: server.url,
      trustedRoot,
      validator: new PluginValidator(),
      indexMaxAgeMs: 0,
    });
    cleanups.push(() => registry.close());

    // The newest base is revoked: a range picks the one before; asking for it by version is refused.
    await server.revoke('com.example.base', '1.1.0', { reason: 'mines crypto', severity: 'critical' });
    const error = await registry
      .downloadPlugin('com.example.base', { version: '1.1.0' })
      .catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'PLUGIN_REVOKED')).toBe(true);
    expect((error as PluginError).details).toMatchObject({ reason: 'mines crypto', severity: 'critical' });
    expect(await registry.listInstalledPlugins()).toEqual([]);

    const result = await registry.install('com.example.app');
    expect(result.installed).toEqual(
      expect.arrayContaining([
        { pluginId: 'com.example.app', version: '1.0.0' },
        { pluginId: 'com.example.base', version: '1.0.0' },
      ]),
    );
    expect(await registry.checkRevocations()).toEqual([]);
    // Search ranks on the server and reads every field from the v2 targets: the revoked 1.1.0 is not offered.
    const [hit] = await registry.searchMarketplace({ query: 'base' });
    expect(hit).toMatchObject({ plugin_id: 'com.example.base', version: '1.0.0' });

    // Revoked after install: reported with its reason, and installing it again is refused.
    await server.revoke('com.example.base', '1.0.0', { reason: 'leaks tokens', severity: 'high' });
    expect(await registry.checkRevocations()).toEqual([
      expect.objectContaining({
        pluginId: 'com.example.base',
        version: '1.0.0',
        reason: 'leaks tokens',
        severity: 'high',
      }),
    ]);
    // Every version revoked: search drops the plugin.
    await server.revoke('com.example.base', '1.0.0', { reason: 'leaks tokens', severity: 'high' });
    expect(
      (await registry.searchMarketplace({ query: 'base' })).map((result) => result.plugin_id),
    ).not.toContain('com.example.base');
    const reinstall = await registry
      .downloadPlugin('com.example.base', { version: '1.0.0' })
      .catch((caught: unknown) => caught);
    expect(PluginError.is(reinstall, 'PLUGIN_REVOKED')).toBe(true);
  });
});
