import { describe, expect, it } from 'vitest';
import { listEntryPointCandidates } from './entry-point-candidates';

describe('listEntryPointCandidates', () => {
  it('tries a bare name as a module, then as a folder with an index', () => {
    expect(listEntryPointCandidates('main')).toEqual([
      'main.js',
      'main.mjs',
      'main.cjs',
      'main/index.js',
      'main/index.mjs',
      'main/index.cjs',
    ]);
  });

  it('reads a dotted name as a module path first, then as a file name', () => {
    expect(listEntryPointCandidates('calculator.main')).toEqual([
      'calculator/main.js',
      'calculator/main.mjs',
      'calculator/main.cjs',
      'calculator/main/index.js',
      'calculator/main/index.mjs',
      'calculator/main/index.cjs',
      'calculator.main.js',
      'calculator.main.mjs',
      'calculator.main.cjs',
    ]);
  });

  it('tries a name with an extension as written first', () => {
    expect(listEntryPointCandidates('dist/main.mjs')[0]).toBe('dist/main.mjs');
    expect(listEntryPointCandidates('main.cjs')[0]).toBe('main.cjs');
  });

  it('takes a slashed name as a path and normalises backslashes', () => {
    expect(listEntryPointCandidates('lib/v1.2/main')[0]).toBe('lib/v1.2/main.js');
    expect(listEntryPointCandidates('lib\\main')[0]).toBe('lib/main.js');
  });
});
