// A marketplace over a store of many made-up plugins, for the bench and the catalog figures test.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexPluginEntry } from '@agentplug/registry-client/protocol';
// The registry-client bench's synthetic index, shared by path rather than copied.
import { buildSyntheticIndex } from '../../registry-client/bench/synthetic-index';
import { createMarketplaceServer, generateSigningKeyPair, type MarketplaceServer } from '../src/index';
import { seedSignedCatalog, writeIntoFolder } from './seed-catalog';

/** A running marketplace over a folder store holding `count` plugins, and how to remove it. */
export async function startLargeMarketplace(count: number): Promise<{
  server: MarketplaceServer;
  body: { plugins: Record<string, IndexPluginEntry> };
  close(): Promise<void>;
}> {
  const root = await mkdtemp(join(tmpdir(), 'agentplug-marketplace-large-'));
  try {
    const keys = generateSigningKeyPair();
    const store = join(root, 'store');
    await mkdir(join(store, 'archives'), { recursive: true });
    const body = buildSyntheticIndex(count);
    await seedSignedCatalog(writeIntoFolder(store), body.plugins, keys);
    const server = await createMarketplaceServer({
      storeDirectory: store,
      signingKey: keys,
      validator: false,
    });
    return {
      server,
      body,
      async close() {
        await server.close();
        await rm(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}
