import type { RankedPlugin } from '@agentplug/registry-client/protocol';
import type { RenderedPage } from './catalog-pages';

/** How many ranked lists (one per filter and order) and rendered pages one catalog version keeps. */
const MAX_LISTS = 64;
const MAX_PAGES = 128;

/** A map that forgets its least recently used entry past `limit`. */
class BoundedMap<Value> {
  private readonly entries = new Map<string, Value>();
  private readonly limit: number;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** The value under `key`, computed and kept when absent. */
  get(key: string, compute: () => Value): Value {
    // A use moves the entry to the newest end, so the oldest is the least recently used.
    const found = this.peek(key);
    if (found !== undefined) return found;
    const value = compute();
    if (this.entries.size >= this.limit) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  /** The value under `key` when kept, counted as a use. */
  peek(key: string): Value | undefined {
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
    }
    return found;
  }

  clear(): void {
    this.entries.clear();
  }
}

/**
 * What the catalog's pages worked out for one version of the catalog: ranked and ordered result
 * lists, and whole rendered pages. A page is a function of the catalog version and the request,
 * so a page served from here is the same bytes a fresh render gives; a new version (a publish,
 * yank, revoke or counter re-sign signs a new index) empties it. Bounded in entries.
 */
export class CatalogCache {
  private version: object | undefined;
  private readonly lists = new BoundedMap<RankedPlugin[]>(MAX_LISTS);
  private readonly pages = new BoundedMap<RenderedPage>(MAX_PAGES);

  /** Makes the cache answer for `version`, emptying it when the catalog changed since. */
  use(version: object): void {
    if (version === this.version) return;
    this.version = version;
    this.lists.clear();
    this.pages.clear();
  }

  /** A ranked list of the current version under `key`, computed once. */
  list(key: string, compute: () => RankedPlugin[]): RankedPlugin[] {
    return this.lists.get(key, compute);
  }

  /** A rendered page of the current version under `key`, when one is kept. */
  peekPage(key: string): RenderedPage | undefined {
    return this.pages.peek(key);
  }

  /** A rendered page of the current version under `key`, rendered once. */
  page(key: string, render: () => RenderedPage): RenderedPage {
    return this.pages.get(key, render);
  }
}
