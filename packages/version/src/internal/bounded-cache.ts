/**
 * A map that forgets its oldest entries past `limit`, so caches keyed by user input stay small.
 * Insertion order is the eviction order; a hit does not refresh an entry (cheaper, and good
 * enough for the repeated-constraint pattern of resolution).
 */
export class BoundedCache<Key, Value> {
  readonly #entries = new Map<Key, Value>();
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get(key: Key): Value | undefined {
    return this.#entries.get(key);
  }

  set(key: Key, value: Value): void {
    if (this.#entries.size >= this.#limit) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
}
