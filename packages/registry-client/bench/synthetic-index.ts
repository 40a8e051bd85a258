// Pieces the registry-client and marketplace benches share: medians, rounding and the body of
// an index of many made-up plugins. The marketplace bench imports this file by path.
import { createHash } from 'node:crypto';
import type { IndexPluginEntry, SignedIndexBody } from '../src/index';

/** The median of a list of timings. */
export function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 0
    ? ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2
    : (sorted[middle] ?? 0);
}

/** Rounds to three decimals for the JSON lines. */
export function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const permissions = {
  filesystem_read: [],
  filesystem_write: [],
  network_hosts: [],
  external_apis: [],
  environment_variables: [],
};

/** One version entry of an index, with no permissions and a given archive digest and size. */
export function versionEntry(
  version: string,
  sha256: string,
  size: number,
): IndexPluginEntry['versions'][string] {
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

/** An unsigned index of `count` made-up plugins with searchable names, tags and three versions each. */
export function buildSyntheticIndex(count: number): SignedIndexBody {
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
