/** Bits per word: 30, so every word stays a small integer, which V8 handles without boxing. */
const BITS = 30;
const FULL_WORD = 2 ** BITS - 1;

/**
 * An immutable set of versions of one plugin, as a bitset over the indexes of that plugin's known
 * versions (sorted oldest first). Resolution only ever chooses among known versions, so every
 * constraint becomes such a set and the set algebra PubGrub needs is exact and cheap. Words are
 * plain arrays of small integers: allocating them is much cheaper than typed arrays.
 */
export class VersionSet {
  readonly size: number;
  readonly words: readonly number[];
  #count = -1;

  private constructor(size: number, words: number[]) {
    this.size = size;
    this.words = words;
  }

  static empty(size: number): VersionSet {
    return new VersionSet(size, new Array<number>(Math.ceil(size / BITS)).fill(0));
  }

  static full(size: number): VersionSet {
    const words = new Array<number>(Math.ceil(size / BITS)).fill(FULL_WORD);
    const rest = size % BITS;
    if (rest !== 0) words[words.length - 1] = 2 ** rest - 1;
    return new VersionSet(size, words);
  }

  static fromIndexes(size: number, indexes: Iterable<number>): VersionSet {
    const words = new Array<number>(Math.ceil(size / BITS)).fill(0);
    for (const index of indexes) {
      const word = Math.floor(index / BITS);
      words[word] = words[word]! | (1 << (index % BITS));
    }
    return new VersionSet(size, words);
  }

  /** The versions from `low` to `high`, both included. */
  static span(size: number, low: number, high: number): VersionSet {
    const indexes: number[] = [];
    for (let index = low; index <= high; index += 1) indexes.push(index);
    return VersionSet.fromIndexes(size, indexes);
  }

  has(index: number): boolean {
    return ((this.words[Math.floor(index / BITS)]! >>> (index % BITS)) & 1) === 1;
  }

  intersect(other: VersionSet): VersionSet {
    const words = this.words.map((word, index) => word & other.words[index]!);
    return new VersionSet(this.size, words);
  }

  union(other: VersionSet): VersionSet {
    const words = this.words.map((word, index) => word | other.words[index]!);
    return new VersionSet(this.size, words);
  }

  minus(other: VersionSet): VersionSet {
    const words = this.words.map((word, index) => word & ~other.words[index]!);
    return new VersionSet(this.size, words);
  }

  isEmpty(): boolean {
    for (const word of this.words) if (word !== 0) return false;
    return true;
  }

  isFull(): boolean {
    return this.count() === this.size;
  }

  equals(other: VersionSet): boolean {
    for (let index = 0; index < this.words.length; index += 1) {
      if (this.words[index] !== other.words[index]) return false;
    }
    return true;
  }

  isSubsetOf(other: VersionSet): boolean {
    for (let index = 0; index < this.words.length; index += 1) {
      if ((this.words[index]! & ~other.words[index]!) !== 0) return false;
    }
    return true;
  }

  isDisjointFrom(other: VersionSet): boolean {
    for (let index = 0; index < this.words.length; index += 1) {
      if ((this.words[index]! & other.words[index]!) !== 0) return false;
    }
    return true;
  }

  /** How many versions the set holds (computed once: the set is immutable). */
  count(): number {
    if (this.#count !== -1) return this.#count;
    let total = 0;
    for (let word of this.words) {
      while (word !== 0) {
        word &= word - 1;
        total += 1;
      }
    }
    this.#count = total;
    return total;
  }

  /** The highest index in the set, or -1 when empty. */
  highest(): number {
    for (let wordIndex = this.words.length - 1; wordIndex >= 0; wordIndex -= 1) {
      const word = this.words[wordIndex]!;
      if (word !== 0) return wordIndex * BITS + 31 - Math.clz32(word);
    }
    return -1;
  }

  indexes(): number[] {
    const result: number[] = [];
    for (let index = 0; index < this.size; index += 1) if (this.has(index)) result.push(index);
    return result;
  }
}
