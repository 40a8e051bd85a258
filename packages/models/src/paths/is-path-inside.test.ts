import { sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isPathInside } from './is-path-inside';

describe('isPathInside', () => {
  it('accepts paths under the folder, and the folder itself unless told otherwise', () => {
    expect(isPathInside('/plugins/a', '/plugins/a/lib/x.js')).toBe(true);
    expect(isPathInside('/plugins/a', '/plugins/a')).toBe(true);
    expect(isPathInside('/plugins/a/', '/plugins/a')).toBe(true);
    expect(isPathInside('/plugins/a', '/plugins/a', { allowEqual: false })).toBe(false);
  });

  it('refuses siblings that share a prefix, parents and traversal', () => {
    expect(isPathInside('/plugins/a', '/plugins/ab')).toBe(false);
    expect(isPathInside('/plugins/a', '/plugins')).toBe(false);
    expect(isPathInside('/plugins/a', '/plugins/a/../b/x.js')).toBe(false);
    expect(isPathInside('/plugins/a', `/plugins/a${sep}..${sep}..${sep}etc`)).toBe(false);
  });

  it('keeps names that only start with two dots inside', () => {
    expect(isPathInside('/plugins/a', '/plugins/a/..hidden')).toBe(true);
    expect(isPathInside('/plugins/a', '/plugins/a/...')).toBe(true);
  });

  it('resolves relative arguments against the working directory', () => {
    expect(isPathInside('.', './x/y')).toBe(true);
    expect(isPathInside('./x', '.')).toBe(false);
  });
});
