import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatArchiveName,
  generateSigningKeyPair,
  type IndexPluginEntry,
  PluginRegistry,
  packPlugin,
  type SignedIndexBody,
  searchIndex,
  signIndex,
} from '../src/index';

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[middle] ?? 0);
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

const permissions = {
  filesystem_read: [],
  filesystem_write: [],
  network_hosts: [],
  external_apis: [],
  environment_variables: [],
};

function versionEntry(version: string, sha256: string, size: number) {
  return {
    version,
    dependencies: [],
    min_runtime_version: '*',
    max_runtime_version: '*',
    permissions,
    security_score: 90,
    risk_level: 'low' as const,
    sha256,
    size,
    published_at: '2026-01-01T00:00:00.000Z',
    yanked: false,
  };
}

async function benchDownload(root: string): Promise<void> {
  const pluginId = 'com.example.large';
  const folder = join(root, 'large-plugin');
  await mkdir(join(folder, 'lib'), { recursive: true });
  await writeFile(
    join(folder, 'plugin.json'),
    JSON.stringify({
      plugin_id: pluginId,
      version: '1.0.0',
      name: 'Large',
      description: 'a 5 MB plugin',
      author: 'bench',
      plugin_type: 'tool',
      entry_point: 'main',
    }),
  );
  await writeFile(join(folder, 'main.js'), 'export class Plugin {}\n');
  // 5 MiB of content in 40 files: base64 text, about as compressible as bundled code with assets
  for (let index = 0; index < 40; index += 1) {
    await writeFile(
      join(folder, 'lib', `chunk-${index}.js`),
      `export const data = "${randomBytes(98_000).toString('base64')}";\n`,
    );
  }
  const packed = await packPlugin(folder, { outputDirectory: root });
  const keys = generateSigningKeyPair();
  const body: SignedIndexBody = {
    _type: 'agentplug-index',
    protocol_version: 1,
    version: 1,
    expires: new Date(Date.now() + 3_600_000).toISOString(),
    signed_at: new Date().toISOString(),
    plugins: {
      [pluginId]: {
        plugin_id: pluginId,
        name: 'Large',
        description: 'a 5 MB plugin',
        plugin_type: 'tool',
        tags: [],
        author: 'bench',
        downloads: 0,
        rating: 0,
        rating_count: 0,
        versions: { '1.0.0': versionEntry('1.0.0', packed.sha256, packed.size) },
      },
    },
  };
  const indexBytes = Buffer.from(JSON.stringify(signIndex(body, keys)));
  const server = createServer((request, response) => {
    const bytes =
      request.url === '/index.json'
        ? indexBytes
        : request.url === `/archives/${formatArchiveName(pluginId, '1.0.0')}`
          ? packed.archive
          : undefined;
    if (bytes === undefined) {
      response.writeHead(404);
      response.end();
      return;
    }
    response.writeHead(200, { 'content-length': bytes.length });
    response.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const ours: number[] = [];
  const tar: number[] = [];
  const runs = 15;
  for (let run = -2; run < runs; run += 1) {
    // a fresh registry per run: the index is fetched and verified each time, as in a CLI invocation
    const runRoot = await mkdtemp(join(root, 'run-'));
    const registry = new PluginRegistry({
      pluginDirectory: join(runRoot, 'plugins'),
      cacheDirectory: join(runRoot, 'cache'),
      marketplaceUrl: url,
      trustedKeys: [keys.publicKey],
    });
    let start = performance.now();
    await registry.downloadPlugin(pluginId, { validate: false });
    const oursMs = performance.now() - start;
    const tarTarget = join(runRoot, 'tar');
    await mkdir(tarTarget);
    start = performance.now();
    execFileSync('tar', ['-xzf', packed.archivePath ?? '', '-C', tarTarget]);
    const tarMs = performance.now() - start;
    if (run >= 0) {
      ours.push(oursMs);
      tar.push(tarMs);
    }
    await rm(runRoot, { recursive: true, force: true });
  }
  server.close();
  const value = median(ours);
  const baseline = median(tar);
  report({
    name: 'download+verify+extract 5 MiB plugin vs system `tar -xzf` (median, ratio = ours / tar)',
    value: round(value),
    unit: 'ms',
    baseline: round(baseline),
    ratio: round(value / baseline),
    archive_bytes: packed.size,
    content_bytes: 40 * 130_680,
    goal: 'ratio <= 1.5',
  });
}

function buildLargeIndex(count: number): SignedIndexBody {
  const words = [
    'math',
    'text',
    'weather',
    'calendar',
    'search',
    'image',
    'audio',
    'code',
    'data',
    'finance',
    'chat',
    'mail',
  ];
  const types = ['tool', 'engine', 'middleware', 'integration', 'custom'] as const;
  const plugins: Record<string, IndexPluginEntry> = {};
  for (let index = 0; index < count; index += 1) {
    const first = words[index % words.length] ?? 'x';
    const second = words[(index * 7) % words.length] ?? 'y';
    const pluginId = `com.vendor${index % 97}.${first}-${second}-${index}`;
    const sha = createHash('sha256').update(pluginId).digest('hex');
    plugins[pluginId] = {
      plugin_id: pluginId,
      name: `${first} ${second} ${index}`,
      description: `A ${first} plugin that helps with ${second} tasks, number ${index}`,
      plugin_type: types[index % types.length] ?? 'tool',
      tags: [first, second],
      author: `vendor ${index % 97}`,
      downloads: (index * 7919) % 100_000,
      rating: (index % 5) + 0.5,
      rating_count: index % 50,
      versions: {
        '1.0.0': versionEntry('1.0.0', sha, 1000),
        '1.1.0': versionEntry('1.1.0', sha, 1000),
        '2.0.0': versionEntry('2.0.0', sha, 1000),
      },
    };
  }
  return {
    _type: 'agentplug-index',
    protocol_version: 1,
    version: 1,
    expires: new Date(Date.now() + 3_600_000).toISOString(),
    signed_at: new Date().toISOString(),
    plugins,
  };
}

function benchSearch(): void {
  const body = buildLargeIndex(10_000);
  let start = performance.now();
  searchIndex(body, { query: 'warmup' });
  const preparation = performance.now() - start;
  const queries = [
    { query: 'math' },
    { query: 'weather calendar' },
    { query: 'finance', pluginType: 'tool' as const },
    { tags: ['chat'] },
    { query: 'vendor 12', limit: 50 },
    { query: 'nothing-matches' },
    {},
  ];
  const times: number[] = [];
  for (let round = 0; round < 30; round += 1) {
    for (const query of queries) {
      start = performance.now();
      searchIndex(body, query);
      times.push(performance.now() - start);
    }
  }
  report({
    name: 'search over a 10,000-plugin index (median per query, prepared index)',
    value: round(median(times)),
    unit: 'ms',
    goal: '< 20 ms',
    first_query_ms: round(preparation),
  });
}

const root = await mkdtemp(join(tmpdir(), 'agentplug-bench-'));
try {
  await benchDownload(root);
  benchSearch();
} finally {
  await rm(root, { recursive: true, force: true });
}
