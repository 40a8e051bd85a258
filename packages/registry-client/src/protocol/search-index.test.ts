import { describe, expect, it } from 'vitest';
import { buildSyntheticIndex } from '../../bench/synthetic-index';
import { rankIndex, searchIndex } from './search-index';

describe('rankIndex', () => {
  const body = buildSyntheticIndex(300);

  it('ranks every match in the order searchIndex returns its first results', () => {
    for (const search of [{}, { query: 'math' }, { query: 'weather calendar' }, { tags: ['chat'] }]) {
      const ranked = rankIndex(body, search);
      const results = searchIndex(body, { ...search, limit: 50 });
      expect(ranked.slice(0, 50).map((item) => item.entry.plugin_id)).toEqual(
        results.map((result) => result.plugin_id),
      );
      expect(ranked.length).toBe(searchIndex(body, { ...search, limit: 10_000 }).length);
      expect(ranked.map((item) => item.latest.version)).toEqual(
        searchIndex(body, { ...search, limit: 10_000 }).map((result) => result.version),
      );
    }
  });

  it('scores by the search rule and counts live downloads when given them', () => {
    const ranked = rankIndex(body, { query: 'math', downloadsOf: (pluginId) => pluginId.length });
    expect(ranked.length).toBeGreaterThan(0);
    for (const item of ranked) {
      expect(item.score).toBeGreaterThan(0);
      expect(item.downloads).toBe(item.entry.plugin_id.length);
    }
    expect(rankIndex(body, { query: 'nothing-matches-this' })).toEqual([]);
    expect(rankIndex(body, {}).every((item) => item.score === 1)).toBe(true);
  });
});
