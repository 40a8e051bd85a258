import { describe, expect, it } from 'vitest';
import { VersionSet } from './version-set';

describe('VersionSet', () => {
  it.each([1, 29, 30, 31, 59, 60, 61, 500])(
    'keeps set algebra exact across word boundaries (size %i)',
    (size) => {
      const evens = VersionSet.fromIndexes(
        size,
        Array.from({ length: size }, (_, index) => index).filter((index) => index % 2 === 0),
      );
      const full = VersionSet.full(size);
      const odds = full.minus(evens);
      expect(evens.count() + odds.count()).toBe(size);
      expect(evens.union(odds).equals(full)).toBe(true);
      expect(evens.intersect(odds).isEmpty()).toBe(true);
      expect(evens.isDisjointFrom(odds)).toBe(true);
      expect(evens.isSubsetOf(full)).toBe(true);
      expect(full.isFull()).toBe(true);
      expect(full.highest()).toBe(size - 1);
      expect(VersionSet.empty(size).highest()).toBe(-1);
      expect(VersionSet.span(size, 0, size - 1).equals(full)).toBe(true);
      expect(evens.indexes().every((index) => index % 2 === 0)).toBe(true);
      expect(evens.has(0)).toBe(true);
    },
  );
});
