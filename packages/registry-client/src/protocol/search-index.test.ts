import { describe, expect, it } from 'vitest';
import { buildSyntheticIndex } from '../../bench/synthetic-index';
import {
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TAGS,
  MAX_SEARCH_WORDS,
  rankIndex,
  searchIndex,
} from './search-index';

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

describe('the bounds of a search', () => {
  const body = buildSyntheticIndex(2_000);
  const words = (count: number) => Array.from({ length: count }, (_, index) => `w${index}`).join(' ');

  it('refuses a query of thousands of words that all match, at once, with INVALID_ARGUMENT', () => {
    const started = performance.now();
    expect(() => rankIndex(body, { query: Array.from({ length: 7_000 }, () => 'a').join(' ') })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('refuses more distinct words, a longer query or more tags than the caps, and takes repeats as one word', () => {
    const refused = expect.objectContaining({ code: 'INVALID_ARGUMENT' });
    expect(() => searchIndex(body, { query: words(MAX_SEARCH_WORDS + 1) })).toThrow(refused);
    expect(() => searchIndex(body, { query: 'x'.repeat(MAX_SEARCH_QUERY_LENGTH + 1) })).toThrow(refused);
    expect(() => searchIndex(body, { tags: words(MAX_SEARCH_TAGS + 1).split(' ') })).toThrow(refused);
    expect(() => searchIndex(body, { tags: ['t'.repeat(65)] })).toThrow(refused);
    expect(searchIndex(body, { query: words(MAX_SEARCH_WORDS) })).toEqual([]);
    expect(searchIndex(body, { query: 'math math math math' })).toEqual(searchIndex(body, { query: 'math' }));
  });
});
