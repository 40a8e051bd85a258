// Seeds a store with a signed catalog straight through the store contract (root 1, every plugin's
// targets, the tree, a snapshot and a timestamp), as if each plugin had been published: benches and
// the catalog figures start from thousands of plugins without thousands of publishes.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { IndexPluginEntry, MetadataFile, SigningKeyPair } from '@agentplug/registry-client/protocol';
import { createSingleKeyMetadata } from '../../registry-client/test/helpers/single-key-root';
import { toTargetsContent } from '../src/service/metadata-publisher';
import type { MarketplaceStore } from '../src/store/marketplace-store';

/** Where seeded files go: a store's `writeMetadata`, or {@link writeIntoFolder}. */
export type WriteSeed = (files: readonly MetadataFile[]) => Promise<void>;

/**
 * Writes seed files straight into a store folder, many at once and without the store's fsync per
 * file: a seed is made once before the store opens, and 10,000 synced writes take most of a minute
 * on a shared disk. The timestamp goes last, as the store writes it.
 */
export function writeIntoFolder(directory: string): WriteSeed {
  return async (files) => {
    const last = files.at(-1);
    const rest = files.slice(0, -1);
    for (let start = 0; start < rest.length; start += 64) {
      await Promise.all(
        rest.slice(start, start + 64).map(async (file) => {
          await mkdir(dirname(join(directory, file.path)), { recursive: true });
          await writeFile(join(directory, file.path), file.bytes);
        }),
      );
    }
    if (last !== undefined) {
      await mkdir(dirname(join(directory, last.path)), { recursive: true });
      await writeFile(join(directory, last.path), last.bytes);
    }
  };
}

/** A store's own write, for engines that batch (SQL). */
export function writeIntoStore(store: MarketplaceStore): WriteSeed {
  return (files) => store.writeMetadata(files);
}

/** Writes `plugins` as signed v2 metadata, every role held by `keys`. */
export async function seedSignedCatalog(
  write: WriteSeed,
  plugins: Readonly<Record<string, IndexPluginEntry>>,
  keys: SigningKeyPair,
): Promise<void> {
  const { rootFile, repository } = createSingleKeyMetadata(keys, { rootLifetimeMs: 365 * 86_400_000 });
  for (const [pluginId, entry] of Object.entries(plugins))
    repository.putTargets(pluginId, toTargetsContent(entry));
  await write([rootFile, ...repository.commit()]);
}
