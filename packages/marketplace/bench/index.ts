import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IndexPluginEntry, type SignedIndexBody, signIndex } from '@agentplug/registry-client';
import { createMarketplaceServer, generateSigningKeyPair } from '../src/index';

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

const permissions = {
  filesystem_read: [],
  filesystem_write: [],
  network_hosts: [],
  external_apis: [],
  environment_variables: [],
};

function buildCatalog(count: number): Record<string, IndexPluginEntry> {
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
    const sha256 = createHash('sha256').update(pluginId).digest('hex');
    const version = (value: string) => ({
      version: value,
      dependencies: [],
      min_runtime_version: '*',
      max_runtime_version: '*',
      permissions,
      security_score: 90,
      risk_level: 'low' as const,
      sha256,
      size: 1000,
      published_at: '2026-01-01T00:00:00.000Z',
      yanked: false,
    });
    plugins[pluginId] = {
      plugin_id: pluginId,
      name: `${first} ${second} ${index}`,
      description: `A ${first} plugin that helps with ${second} tasks, number ${index}`,
      plugin_type: types[index % types.length] ?? 'tool',
      tags: [first, second],
      author: `vendor ${index % 97}`,
      downloads: 0,
      rating: 0,
      rating_count: 0,
      versions: { '1.0.0': version('1.0.0'), '2.0.0': version('2.0.0') },
    };
  }
  return plugins;
}

const root = await mkdtemp(join(tmpdir(), 'agentplug-marketplace-bench-'));
try {
  const keys = generateSigningKeyPair();
  const store = join(root, 'store');
  await mkdir(join(store, 'archives'), { recursive: true });
  const body: SignedIndexBody = {
    _type: 'agentplug-index',
    protocol_version: 1,
    version: 1,
    expires: new Date(Date.now() + 3_600_000).toISOString(),
    signed_at: new Date().toISOString(),
    plugins: buildCatalog(10_000),
  };
  await writeFile(join(store, 'index.json'), JSON.stringify(signIndex(body, keys)));
  const server = await createMarketplaceServer({ storeDirectory: store, signingKey: keys, validator: false });
  const queries = [
    'q=math',
    'q=weather%20calendar',
    'q=finance&type=tool',
    'tags=chat',
    'q=vendor%2012&limit=50',
    'q=nothing-matches',
    '',
  ];
  const direct: number[] = [];
  for (let round = -1; round < 20; round += 1) {
    for (const query of queries) {
      const start = performance.now();
      const response = await fetch(`${server.url}api/v1/search?${query}`);
      await response.json();
      if (round >= 0) direct.push(performance.now() - start);
    }
  }
  console.log(
    JSON.stringify({
      name: 'server search endpoint over a 10,000-plugin store (median per HTTP request, 127.0.0.1)',
      value: round(median(direct)),
      unit: 'ms',
      goal: '< 20 ms',
    }),
  );
  await server.close();
} finally {
  await rm(root, { recursive: true, force: true });
}
