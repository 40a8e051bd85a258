import { rankIndex, searchIndex } from '@agentplug/registry-client/protocol';
import { describe, expect, it } from 'vitest';
import { buildSyntheticIndex } from '../../../registry-client/bench/synthetic-index';
import type { Catalog } from '../store/catalog';
import { createRankedSearch } from './ranked-search';

describe('createRankedSearch', () => {
  const catalog = { ...buildSyntheticIndex(300).plugins } as Catalog;
  const queries = [
    { query: 'math' },
    { query: 'Weather  calendar ' },
    { tags: ['chat'] },
    { pluginType: 'tool' as const },
    {},
  ];

  it('answers what rankIndex and searchIndex answer, with live downloads, for every query', () => {
    const downloads: Record<string, number> = {};
    const search = createRankedSearch((pluginId) => downloads[pluginId] ?? 0);
    const downloadsOf = (pluginId: string) => downloads[pluginId] ?? 0;
    for (const query of queries) {
      expect(search.rank(catalog, query)).toEqual(rankIndex({ plugins: catalog }, { ...query, downloadsOf }));
      expect(search.search(catalog, { ...query, limit: 7 })).toEqual(
        searchIndex({ plugins: catalog }, { ...query, limit: 7, downloadsOf }),
      );
    }
  });

  it('orders kept matches by the downloads counted since they were kept', () => {
    const downloads: Record<string, number> = {};
    const search = createRankedSearch((pluginId) => downloads[pluginId] ?? 0);
    const first = search.search(catalog, { tags: ['chat'], limit: 3 });
    const last = search.rank(catalog, { tags: ['chat'] }).at(-1)?.entry.plugin_id ?? '';
    expect(first.map((result) => result.plugin_id)).not.toContain(last);
    downloads[last] = 1_000;
    const after = search.search(catalog, { tags: ['chat'], limit: 3 });
    expect(after[0]).toMatchObject({ plugin_id: last, downloads: 1_000 });
  });

  it('matches again over a new catalog object (a publish), not from what it kept for the old one', () => {
    const search = createRankedSearch(() => 0);
    expect(search.search(catalog, { query: 'zzunique' })).toEqual([]);
    const [someId, someEntry] = Object.entries(catalog)[0] as [string, Catalog[string]];
    const changed = { ...catalog, [someId]: { ...someEntry, name: 'zzunique tool' } } as Catalog;
    expect(search.search(changed, { query: 'zzunique' }).map((result) => result.plugin_id)).toEqual([someId]);
  });
});
