import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError, type PluginErrorCode } from '@agentplug/models';
import { afterEach, describe, expect, it } from 'vitest';
import { PluginRegistry, TrustedMetadata } from '../src/index';
import { generateSigningKeyPair, type TrustedKey } from '../src/protocol/index';
import { startTestServer } from './helpers/hostile-server';
import {
  type createMarketplaceKeys,
  type MetadataMarketplace,
  testNetwork as network,
  signRoot,
  startMetadataMarketplace,
} from './helpers/metadata-marketplace';
import { createTemporaryFolder } from './helpers/plugin-fixtures';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(plugins: Record<string, string[]>): Promise<MetadataMarketplace> {
  const marketplace = await startMetadataMarketplace(plugins);
  cleanups.push(() => marketplace.close());
  return marketplace;
}

async function folder(): Promise<string> {
  const path = await createTemporaryFolder('agentplug-pinned-');
  cleanups.push(() => rm(path, { recursive: true, force: true }));
  return path;
}

function pinned(url: string, cacheDirectory: string, pinnedKeys: readonly TrustedKey[]): TrustedMetadata {
  return new TrustedMetadata({ marketplaceUrl: url, pinnedKeys, network, cacheDirectory });
}

async function codeOf(promise: Promise<unknown>): Promise<PluginErrorCode | 'resolved'> {
  return promise.then(
    () => 'resolved' as const,
    (error: unknown) => {
      if (PluginError.is(error)) return error.code;
      throw error;
    },
  );
}

describe('protocol v2 with the root pinned by the marketplace keys (no root document configured)', () => {
  it('accepts root 1 signed by a threshold of the trusted keys, keeps it, and follows a rotation from it', async () => {
    const marketplace = await start({ 'com.example.app': ['1.0.0'] });
    const cache = await folder();
    const rootKeys = marketplace.keys.root.map((key) => key.publicKey);
    const client = pinned(marketplace.url, cache, rootKeys);
    expect((await client.getTargets('com.example.app'))?.versions['1.0.0']).toBeDefined();
    expect(client.current?.root.body.version).toBe(1);

    // Root 2 rotates the root keys; the client walks to it from the pinned root 1.
    const next = { ...marketplace.keys, root: [generateSigningKeyPair(), generateSigningKeyPair()] };
    marketplace.store([signRoot(2, next, { signers: [...marketplace.keys.root, ...next.root] }).file]);
    const again = pinned(marketplace.url, cache, rootKeys);
    expect((await again.refresh()).root.body.version).toBe(2);
    // Root 1 is not fetched again: the anchor is the stored root.
    const requests = marketplace.server.requests.length;
    await pinned(marketplace.url, cache, rootKeys).refresh();
    const paths = marketplace.server.requests.slice(requests);
    expect(paths).toContain('/v2/timestamp.json');
    expect(paths).not.toContain('/v2/root/1.json');
  });

  it.each([
    [
      'one root key of a threshold of two',
      (keys: ReturnType<typeof createMarketplaceKeys>) => [keys.root[0]?.publicKey as string],
    ],
    [
      'the targets key only',
      (keys: ReturnType<typeof createMarketplaceKeys>) => [keys.targets[0]?.publicKey as string],
    ],
    ['an unrelated key', () => [generateSigningKeyPair().publicKey]],
  ])(
    'refuses a root 1 not signed by a threshold of the trusted keys (%s): SIGNATURE_INVALID, nothing kept',
    async (_name, keysOf) => {
      const marketplace = await start({ 'com.example.app': ['1.0.0'] });
      const cache = await folder();
      const client = pinned(marketplace.url, cache, keysOf(marketplace.keys));
      expect(await codeOf(client.refresh())).toBe('SIGNATURE_INVALID');
      expect(client.current).toBeUndefined();
      // The honest keys then work from the same cache: nothing of the refused root was kept.
      const honest = pinned(
        marketplace.url,
        cache,
        marketplace.keys.root.map((key) => key.publicKey),
      );
      expect((await honest.refresh()).root.body.version).toBe(1);
    },
  );

  it('a marketplace that serves no v2 root: INCOMPATIBLE, saying it is not a v2 marketplace', async () => {
    const server = await startTestServer(() => false);
    cleanups.push(() => server.close());
    const client = pinned(server.url, await folder(), [generateSigningKeyPair().publicKey]);
    const error = await client.refresh().catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INCOMPATIBLE')).toBe(true);
    expect((error as Error).message).toContain('v2/root/1.json');
  });

  it('PluginRegistry speaks v2 by default with trustedKeys: only the plugins asked for are fetched', async () => {
    const marketplace = await start({
      'com.example.app': ['1.0.0', '1.1.0'],
      'com.example.other': ['1.0.0'],
    });
    const root = await folder();
    const registry = new PluginRegistry({
      pluginDirectory: join(root, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: marketplace.url,
      trustedKeys: marketplace.keys.root.map((key) => key.publicKey),
      retries: 0,
    });
    cleanups.push(() => registry.close());
    const info = await registry.getPluginInfo('com.example.app');
    expect(info.latest_version).toBe('1.1.0');
    const paths = marketplace.server.requests;
    expect(paths.some((path) => path.startsWith('/v2/targets/com.example.app/'))).toBe(true);
    expect(paths).not.toContain('/index.json');
    expect(paths.some((path) => path.startsWith('/v2/targets/com.example.other/'))).toBe(false);
    expect(await registry.checkRevocations()).toEqual([]);
    // Nothing revoked: no record is written (none stands for no revocation).
    expect(await readFile(join(root, 'plugins', 'agentplug-revocations.json')).catch(() => 'none')).toBe(
      'none',
    );
  });
});
