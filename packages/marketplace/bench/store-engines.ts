// The store engines measured in one run: 200 concurrent publishes against one publish (embedded
// PGlite), and search and download throughput over 10,000 plugins on the folder store, PGlite and
// PostgreSQL (a throwaway cluster, as the tests start one). Ratios are against the raw baseline of
// the same run: a single publish, and the folder store.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/registry-client';
import { buildSyntheticIndex, round } from '../../registry-client/bench/synthetic-index';
import { writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { createMarketplaceServer, generateSigningKeyPair, type MarketplaceServerOptions } from '../src/index';
import { openPgliteDatabase } from '../src/sql/open-pglite-database';
import { startPostgresCluster } from '../test/helpers/postgres-cluster';
import { measurePublishAtSize, type PublishAtSize } from './publish-scaling';
import { seedSignedCatalog, writeIntoFolder, writeIntoStore } from './seed-catalog';

const root = await mkdtemp(join(tmpdir(), 'agentplug-store-bench-'));
const keys = generateSigningKeyPair();
const line = (
  name: string,
  value: number,
  unit: string,
  baseline: number,
  extra: Record<string, unknown> = {},
) =>
  console.log(
    JSON.stringify({
      name,
      value: round(value),
      unit,
      baseline: round(baseline),
      ratio: round(value / baseline),
      ...extra,
    }),
  );

async function pack(pluginId: string): Promise<Buffer> {
  return (await packPlugin(await writePluginFolder(root, { plugin_id: pluginId, version: '1.0.0' }))).archive;
}

async function publish(url: string, archive: Buffer, token: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(new URL('api/v1/plugins', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: archive,
  });
  await response.arrayBuffer();
  if (response.status !== 201) throw new Error(`publish answered ${response.status}`);
  return performance.now() - start;
}

// Requests a second with `concurrency` clients for `durationMs`.
async function throughput(
  url: string,
  paths: readonly string[],
  durationMs = 3000,
  concurrency = 16,
): Promise<number> {
  let done = 0;
  const end = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, client) => {
      let index = client;
      while (performance.now() < end) {
        const response = await fetch(new URL(paths[index % paths.length] ?? '', url));
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`answered ${response.status}`);
        done += 1;
        index += 1;
      }
    }),
  );
  return done / (durationMs / 1000);
}

try {
  // 1. Publishes on the embedded engine: one alone, then 200 at once.
  {
    const token = 'bench-operator-token';
    const server = await createMarketplaceServer({
      storeDirectory: join(root, 'publish-store'),
      database: { engine: 'pglite' },
      signingKey: keys,
      validator: false,
      publishToken: token,
      writesPerMinutePerToken: 0,
      requestsPerMinutePerAddress: 0,
      maxConcurrentUploads: 256,
    });
    const archives = await Promise.all(
      Array.from({ length: 201 }, (_, index) => pack(`com.bench.p${index}`)),
    );
    await publish(server.url, archives[200] as Buffer, token);
    const singles: number[] = [];
    for (let index = 0; index < 5; index += 1)
      singles.push(await publish(server.url, await pack(`com.bench.single${index}`), token));
    const single = singles.sort((left, right) => left - right)[2] ?? 0;
    const cpu = process.cpuUsage();
    const times = (
      await Promise.all(archives.slice(0, 200).map((archive) => publish(server.url, archive, token)))
    ).sort((left, right) => left - right);
    const used = process.cpuUsage(cpu);
    const p99 = times[Math.ceil(times.length * 0.99) - 1] ?? 0;
    line(
      '200 concurrent publishes, p99 against one publish alone (PGlite, validator off)',
      p99,
      'ms',
      single,
      {
        goal: 'ratio <= 5',
        // Client and server share this process: CPU per publish says what one core can do.
        cpuMsPerPublish: round((used.user + used.system) / 1000 / 200),
      },
    );
    await server.close();
  }

  // 2. One publish into a catalog of 1,000, 10,000 and 100,000 plugins seeded straight into SQL.
  {
    const database = await openPgliteDatabase({ directory: undefined });
    try {
      const sizes: PublishAtSize[] = [];
      for (const count of [1_000, 10_000, 100_000]) {
        sizes.push(await measurePublishAtSize({ database, keys, count }));
      }
      const [small] = sizes as [PublishAtSize];
      for (const size of sizes.slice(1)) {
        line(
          `one publish into ${size.plugins.toLocaleString('en-US')} plugins against ${small.plugins.toLocaleString('en-US')} (PGlite, median of 3, wall)`,
          size.wallMs,
          'ms',
          small.wallMs,
          { goal: 'flat (ratio near 1)', cpuMs: size.cpuMs, baselineCpuMs: small.cpuMs },
        );
      }
    } finally {
      await database.close();
    }
  }

  // 3. Search and download throughput over 10,000 plugins, per engine.
  const cluster = await startPostgresCluster();
  try {
    const engines: [string, MarketplaceServerOptions['database']][] = [
      ['folder', { engine: 'folder' }],
      ['pglite', { engine: 'pglite' }],
      ['postgres', { engine: 'postgres', url: await cluster.createDatabase() }],
    ];
    const results = new Map<string, { search: number; download: number }>();
    const body = buildSyntheticIndex(10_000);
    for (const [name, database] of engines) {
      const store = join(root, `store-${name}`);
      await mkdir(store, { recursive: true });
      const token = 'bench-operator-token';
      // Every engine starts from the same synthetic catalog, written as signed v2 metadata through
      // the store contract before the server opens the store.
      {
        const { openMarketplaceStore } = await import('../src/store/open-marketplace-store');
        const opened = await openMarketplaceStore(store, database ?? { engine: 'folder' });
        const write = name === 'folder' ? writeIntoFolder(store) : writeIntoStore(opened.store);
        await seedSignedCatalog(write, body.plugins, keys);
        await opened.close();
      }
      const running = await createMarketplaceServer({
        storeDirectory: store,
        database,
        signingKey: keys,
        validator: false,
        publishToken: token,
        requestsPerMinutePerAddress: 0,
        statsResignDelayMs: 600_000,
      });
      await publish(running.url, await pack(`com.bench.download-${name}`), token);
      const search = await throughput(running.url, [
        'api/v1/search?q=math',
        'api/v1/search?q=weather%20calendar',
        'api/v1/search?q=finance&type=tool',
        'api/v1/search?tags=chat',
      ]);
      const download = await throughput(running.url, [`archives/com.bench.download-${name}-1.0.0.tgz`]);
      results.set(name, { search, download });
      await running.close();
    }
    const folder = results.get('folder') ?? { search: 1, download: 1 };
    const pglite = results.get('pglite') ?? { search: 1, download: 1 };
    const postgres = results.get('postgres') ?? { search: 1, download: 1 };
    line(
      'search throughput over 10,000 plugins, PGlite store against the folder store',
      pglite.search,
      'requests/s',
      folder.search,
    );
    line(
      'download throughput over 10,000 plugins, PGlite store against the folder store',
      pglite.download,
      'requests/s',
      folder.download,
    );
    line(
      'search throughput over 10,000 plugins, PostgreSQL against PGlite',
      postgres.search,
      'requests/s',
      pglite.search,
    );
    line(
      'download throughput over 10,000 plugins, PostgreSQL against PGlite',
      postgres.download,
      'requests/s',
      pglite.download,
    );
  } finally {
    await cluster.stop();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
