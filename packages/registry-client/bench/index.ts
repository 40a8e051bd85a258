import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginRegistry, packPlugin } from '../src/index';
import { formatArchiveName, generateSigningKeyPair, searchIndex } from '../src/protocol/index';
import { createSingleKeyMetadata } from '../test/helpers/single-key-root';
import { benchMetadata } from './metadata-v2';
import { buildSyntheticIndex, median, round, versionEntry } from './synthetic-index';

/** A minimal static file server (a stand-in for a CDN), run in a child process. */
const STATIC_SERVER_SOURCE = `
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const root = process.argv[1];
const server = createServer((request, response) => {
  try {
    const bytes = readFileSync(join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname).replace(/\\.\\./g, '')));
    response.writeHead(200, { 'content-length': bytes.length });
    response.end(bytes);
  } catch {
    response.writeHead(404);
    response.end();
  }
});
server.listen(0, '127.0.0.1', () => console.log('http://127.0.0.1:' + server.address().port + '/'));
`;

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
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
  // The marketplace runs in its own process, as a remote one would: it must not share our event loop.
  // It serves protocol v2 metadata (one key for every role, as `agentplug marketplace build` writes).
  const site = join(root, 'site');
  await mkdir(join(site, 'archives'), { recursive: true });
  const { rootFile, repository } = createSingleKeyMetadata(keys);
  repository.putTargets(pluginId, {
    plugin: { name: 'Large', description: 'a 5 MB plugin', plugin_type: 'tool', tags: [], author: 'bench' },
    versions: { '1.0.0': versionEntry('1.0.0', packed.sha256, packed.size) },
  });
  for (const file of [rootFile, ...repository.commit()]) {
    await mkdir(join(site, file.path, '..'), { recursive: true });
    await writeFile(join(site, file.path), file.bytes);
  }
  await writeFile(join(site, 'archives', formatArchiveName(pluginId, '1.0.0')), packed.archive);
  const server = spawn(process.execPath, ['-e', STATIC_SERVER_SOURCE, site], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) =>
    server.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())),
  );
  const ours: number[] = [];
  const tar: number[] = [];
  const runs = 21;
  for (let run = -2; run < runs; run += 1) {
    // A fresh registry per run, as consecutive CLI invocations: the metadata is refreshed and verified
    // each time, over a cache that persists between runs (as a user's does).
    const runRoot = await mkdtemp(join(root, 'run-'));
    const registry = new PluginRegistry({
      pluginDirectory: join(runRoot, 'plugins'),
      cacheDirectory: join(root, 'cache'),
      marketplaceUrl: url,
      trustedKeys: [keys.publicKey],
    });
    const tarTarget = join(runRoot, 'tar');
    await mkdir(tarTarget);
    const measureOurs = async (): Promise<number> => {
      const start = performance.now();
      await registry.downloadPlugin(pluginId, { validate: false });
      return performance.now() - start;
    };
    const measureTar = (): number => {
      const start = performance.now();
      execFileSync('tar', ['-xzf', packed.archivePath ?? '', '-C', tarTarget]);
      return performance.now() - start;
    };
    // alternate which side goes first, so neither always runs on a warmer cache
    let oursMs: number;
    let tarMs: number;
    if (run % 2 === 0) {
      oursMs = await measureOurs();
      tarMs = measureTar();
    } else {
      tarMs = measureTar();
      oursMs = await measureOurs();
    }
    if (run >= 0) {
      ours.push(oursMs);
      tar.push(tarMs);
    }
    await rm(runRoot, { recursive: true, force: true });
  }
  server.kill();
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

function benchSearch(): void {
  const body = buildSyntheticIndex(10_000);
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
  // a server re-signs with fresh counters: new plugin objects around the same version objects
  const resigned = {
    plugins: Object.fromEntries(
      Object.entries(body.plugins).map(([id, entry]) => [id, { ...entry, downloads: entry.downloads + 1 }]),
    ),
  };
  start = performance.now();
  searchIndex(resigned, { query: 'warmup' });
  const afterResign = performance.now() - start;
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
    first_query_after_resign_ms: round(afterResign),
  });
}

const root = await mkdtemp(join(tmpdir(), 'agentplug-bench-'));
try {
  await benchDownload(root);
  benchSearch();
  await benchMetadata(root);
} finally {
  await rm(root, { recursive: true, force: true });
}
