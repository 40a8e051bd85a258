import { describe, expect, it } from 'vitest';
import { formatCatalogSearch, publisherSlug, readCatalogSearch } from './search-catalog';

describe('catalog search parameters', () => {
  it('reads a search and writes it back', () => {
    const search = readCatalogSearch(
      new URLSearchParams('q=%20math%20&type=tool&tags=a,%20b,,&sort=score&page=3'),
    );
    expect(search).toEqual({ query: 'math', pluginType: 'tool', tags: ['a', 'b'], sort: 'score', page: 3 });
    expect(formatCatalogSearch(search, { page: 1 })).toBe('?q=math&type=tool&tags=a%2Cb&sort=score');
    expect(formatCatalogSearch(readCatalogSearch(new URLSearchParams()))).toBe('');
  });

  it('bounds hostile parameters and falls back to defaults for unknown values', () => {
    const search = readCatalogSearch(
      new URLSearchParams({
        q: 'x'.repeat(10_000),
        type: 'constructor',
        tags: Array.from({ length: 50 }, (_, index) => `${'t'.repeat(100)}${index}`).join(','),
        sort: '__proto__',
        page: '1e9',
      }),
    );
    expect(search.query).toHaveLength(200);
    expect(search.pluginType).toBeUndefined();
    expect(search.tags).toHaveLength(10);
    expect(search.tags.every((tag) => tag.length === 64)).toBe(true);
    expect(search.sort).toBe('relevance');
    expect(search.page).toBe(1);
    expect(readCatalogSearch(new URLSearchParams('page=99999999')).page).toBe(10_000);
  });

  it('names publishers with a readable, unique, path-safe slug', () => {
    expect(publisherSlug('Acme Corp')).toMatch(/^acme-corp-[0-9a-f]{8}$/);
    expect(publisherSlug('Acme Corp')).not.toBe(publisherSlug('acme corp'));
    expect(publisherSlug('../../<script>')).toMatch(/^script-[0-9a-f]{8}$/);
    expect(publisherSlug('日本')).toMatch(/^[0-9a-f]{8}$/);
  });
});
