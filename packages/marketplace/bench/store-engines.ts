// The store engines measured in one run: 200 concurrent publishes against one publish (embedded
// PGlite), and search and download throughput over 10,000 plugins on the folder store, PGlite and
// PostgreSQL (a throwaway cluster, as the tests start one). Ratios are against the raw baseline of
// the same run: a single publish, and the folder store.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packPlugin } from '@agentplug/registry-client';
import { buildSyntheticIndex, round } from '../../registry-client/bench/synthetic-index';
import { writePluginFolder } from '../../registry-client/test/helpers/plugin-fixtures';
import { generateSigningKeyPair, type MarketplaceServerOptions } from '../src/index';
import { openPgliteDatabase } from '../src/sql/open-pglite-database';
import { startPostgresCluster } from '../test/helpers/postgres-cluster';
import { startBenchServer } from './bench-server-process';
import { measureConcurrentPublishes, publish } from './concurrent-publishes';
import { measurePublishAtSize, type PublishAtSize } from './publish-scaling';
import { seedSignedCatalog, writeIntoFolder, writeIntoStore } from './seed-catalog';

const root = await mkdtemp(join(tmpdir(), 'agentplug-store-bench-'));
const keys = generateSigningKeyPair();
// BENCH_SECTIONS=1,3 runs some sections only (while working on one figure).
const sections = new Set((process.env.BENCH_SECTIONS ?? '1,2,3').split(','));
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

/** A throughput figure: requests a second, and the server's CPU per request. */
interface Throughput {
  perSecond: number;
  serverCpuMsPerRequest: number;
}

// Requests a second with `concurrency` clients for `durationMs` (the clients run in this process,
// the server in its own).
async function throughput(
  url: string,
  paths: readonly string[],
  durationMs = 3000,
  concurrency = 16,
): Promise<{ perSecond: number; requests: number }> {
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
  return { perSecond: done / (durationMs / 1000), requests: done };
}

try {
  // 1. Publishes on the embedded engine, the server in a process of its own: one alone, then 200 at once.
  if (sections.has('1')) {
    const archives = await Promise.all(
      Array.from({ length: 206 }, (_, index) => pack(`com.bench.p${index}`)),
    );
    // Inspected on the event loop (the default), then by one worker thread (cores - 1 here).
    for (const inspectionWorkers of [0, Math.max(1, availableParallelism() - 1)]) {
      const figures = await measureConcurrentPublishes({
        storeDirectory: join(root, `publish-store-${inspectionWorkers}`),
        archives,
        inspectionWorkers,
      });
      line(
        `200 concurrent publishes, p99 against one publish alone (PGlite, validator off, server in its own process, inspectionWorkers ${inspectionWorkers})`,
        figures.p99Ms,
        'ms',
        figures.singleMs,
        {
          goal: 'ratio <= 5',
          p50Ms: round(figures.p50Ms),
          // What the server spent: the 200 cannot all be answered before 200 x this / cores.
          serverCpuMsPerPublish: round(figures.serverCpuMsPerPublish),
          singleServerCpuMs: round(figures.singleCpuMs),
          cpuFloorMs: round(figures.cpuFloorMs),
          // One thread's share (JS and PGlite), which more cores do not divide.
          serverLoopBusyMsPerPublish: round(figures.loopBusyMsPerPublish),
          loopFloorMs: round(figures.loopBusyMsPerPublish * 200),
          // The load client shares the cores: its CPU per publish (node:http, archives packed beforehand).
          clientCpuMsPerPublish: round(figures.clientCpuMsPerPublish),
          cores: figures.cores,
          rounds: figures.rounds,
          meanRoundSize: round(200 / figures.rounds),
          load: loadavg().map(round),
        },
      );
    }
  }

  // 2. One publish into a catalog of 1,000, 10,000 and 100,000 plugins seeded straight into SQL.
  if (sections.has('2')) {
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
  if (sections.has('3')) {
    const cluster = await startPostgresCluster();
    try {
      const engines: [string, MarketplaceServerOptions['database']][] = [
        ['folder', { engine: 'folder' }],
        ['pglite', { engine: 'pglite' }],
        ['postgres', { engine: 'postgres', url: await cluster.createDatabase() }],
      ];
      const results = new Map<string, { search: Throughput; download: Throughput }>();
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
        // The server in a process of its own: the load client's CPU does not count against it.
        const running = await startBenchServer({
          storeDirectory: store,
          database,
          signingKey: keys,
          publishToken: token,
          requestsPerMinutePerAddress: 0,
          // The load comes from one address: no cap on its connections.
          maxConnectionsPerAddress: 0,
          statsResignDelayMs: 600_000,
        });
        try {
          await publish(running.url, await pack(`com.bench.download-${name}`), token);
          const measure = async (what: string, paths: readonly string[]): Promise<Throughput> => {
            const before = await running.usage();
            await running.profileStart();
            const { perSecond, requests } = await throughput(running.url, paths);
            await running.profileStop(`${name} ${what}`);
            const after = await running.usage();
            return { perSecond, serverCpuMsPerRequest: (after.cpuMs - before.cpuMs) / requests };
          };
          const search = await measure('search', [
            'api/v1/search?q=math',
            'api/v1/search?q=weather%20calendar',
            'api/v1/search?q=finance&type=tool',
            'api/v1/search?tags=chat',
          ]);
          const download = await measure('download', [`archives/com.bench.download-${name}-1.0.0.tgz`]);
          results.set(name, { search, download });
        } finally {
          await running.close();
        }
      }
      const none = { perSecond: 1, serverCpuMsPerRequest: 0 };
      const figures = (name: string) => results.get(name) ?? { search: none, download: none };
      const ratioLine = (
        what: 'search' | 'download',
        name: string,
        baseline: string,
        title: string,
      ): void => {
        const value = figures(name)[what];
        const base = figures(baseline)[what];
        line(title, value.perSecond, 'requests/s', base.perSecond, {
          serverCpuMsPerRequest: round(value.serverCpuMsPerRequest),
          baselineServerCpuMsPerRequest: round(base.serverCpuMsPerRequest),
          load: loadavg().map(round),
        });
      };
      ratioLine(
        'search',
        'pglite',
        'folder',
        'search throughput over 10,000 plugins, PGlite store against the folder store',
      );
      ratioLine(
        'download',
        'pglite',
        'folder',
        'download throughput over 10,000 plugins, PGlite store against the folder store',
      );
      ratioLine(
        'search',
        'postgres',
        'pglite',
        'search throughput over 10,000 plugins, PostgreSQL against PGlite',
      );
      ratioLine(
        'download',
        'postgres',
        'pglite',
        'download throughput over 10,000 plugins, PostgreSQL against PGlite',
      );
    } finally {
      await cluster.stop();
    }
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
