// Publish cost as the catalog grows: a catalog of 1,000, 10,000 and 100,000 plugins is seeded
// straight into the SQL store (signed v2 targets of every plugin, a tree, a snapshot; no publishes),
// then one publish at a time is timed through the service. Goal: flat, not linear.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/registry-client';
import type { SigningKeyPair } from '@agentplug/registry-client/protocol';
import { buildSyntheticIndex, median } from '../../registry-client/bench/synthetic-index';
import { writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { createMarketplaceService } from '../src/service/marketplace-service';
import { migrateDatabase } from '../src/sql/migrate';
import type { SqlDatabase } from '../src/sql/sql-database';
import { openBlobFolder } from '../src/store/blob-folder';
import { createSqlStore } from '../src/store/sql-store';
import { seedSignedCatalog, writeIntoStore } from './seed-catalog';

/** One size's figures: wall and CPU milliseconds of one publish (medians). */
export interface PublishAtSize {
  plugins: number;
  wallMs: number;
  cpuMs: number;
}

/** Seeds a catalog of `count` plugins into a fresh schema and times `publishes` publishes into it, one at a time. */
export async function measurePublishAtSize(options: {
  database: SqlDatabase;
  keys: SigningKeyPair;
  count: number;
  publishes?: number;
}): Promise<PublishAtSize> {
  const { database, keys, count } = options;
  const root = await mkdtemp(join(tmpdir(), 'agentplug-publish-scaling-'));
  try {
    const schema = `bench_scaling_${count}`;
    await migrateDatabase(database, { schema });
    const store = createSqlStore({ database, blobs: await openBlobFolder(join(root, 'blobs')), schema });
    // One version a plugin keeps the seeded index near what a real catalog of that size signs.
    const body = buildSyntheticIndex(count);
    for (const entry of Object.values(body.plugins)) {
      entry.versions = { '1.0.0': entry.versions['1.0.0'] as (typeof entry.versions)[string] };
    }
    await seedSignedCatalog(writeIntoStore(store), body.plugins, keys);

    const service = await createMarketplaceService({
      store,
      signingKey: keys,
      validator: undefined,
      statsResignDelayMs: 600_000,
      refreshIntervalMs: 0,
    });
    try {
      const walls: number[] = [];
      const cpus: number[] = [];
      for (let index = 0; index < (options.publishes ?? 3); index += 1) {
        const { archive } = await packPlugin(
          await writePluginFolder(root, { plugin_id: `com.scaling.p${count}x${index}`, version: '1.0.0' }),
        );
        const cpu = process.cpuUsage();
        const start = performance.now();
        await service.publish(archive);
        walls.push(performance.now() - start);
        const used = process.cpuUsage(cpu);
        cpus.push((used.user + used.system) / 1000);
      }
      return { plugins: count, wallMs: median(walls), cpuMs: median(cpus) };
    } finally {
      await service.close();
      await database.query(`drop schema ${schema} cascade`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
