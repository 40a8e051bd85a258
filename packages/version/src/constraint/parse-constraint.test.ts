import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { isValidConstraint, parseConstraint } from '../index';

describe('parseConstraint', () => {
  it.each([
    ['1.2.3', '1.2.3', false],
    ['*', '', true],
    ['x', '', true],
    ['>=1.0.0,<2.0.0', '>=1.0.0 <2.0.0', false],
    ['>=1.0.0, <2.0.0', '>=1.0.0 <2.0.0', false],
    ['^1.2.0', '>=1.2.0 <2.0.0-0', false],
    ['~1.2.0', '>=1.2.0 <1.3.0-0', false],
    ['1.x', '>=1.0.0 <2.0.0-0', false],
    ['1.0.0 - 2.0.0', '>=1.0.0 <=2.0.0', false],
    ['^1.0.0 || ^2.0.0', '>=1.0.0 <2.0.0-0||>=2.0.0 <3.0.0-0', false],
    ['>=1.0.0,<1.5.0 || >=2.0.0', '>=1.0.0 <1.5.0||>=2.0.0', false],
  ])('parses %j into the range %j', (constraint, range, isAny) => {
    const parsed = parseConstraint(constraint);
    expect(parsed.constraint).toBe(constraint);
    expect(parsed.range).toBe(range);
    expect(parsed.isAny).toBe(isAny);
  });

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['foo', '"foo" is not a version comparator'],
    ['>=1.0.0, banana', '"banana" is not a version comparator'],
    ['!=1.0.0', 'is not a version comparator'],
    ['>=1.0.0,,<2.0.0', 'empty part between commas'],
    ['>=1.0.0,', 'empty part between commas'],
    ['^1.0.0 ||', 'alternative 2 (between "||") is empty'],
    ['|| ^1.0.0', 'alternative 1 (between "||") is empty'],
    ['>=01.0.0', 'is not a version comparator'],
    [`>=${'1'.repeat(300)}.0.0`, 'longer than 256'],
  ])('rejects %j saying what is wrong', (constraint, problem) => {
    expect.assertions(3);
    try {
      parseConstraint(constraint);
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_CONSTRAINT')).toBe(true);
      expect((error as Error).message).toContain(problem);
      expect(isValidConstraint(constraint)).toBe(false);
    }
  });

  it('rejects a non-string constraint', () => {
    expect.assertions(1);
    try {
      parseConstraint(42 as unknown as string);
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_CONSTRAINT')).toBe(true);
    }
  });

  it('isValidConstraint accepts both grammars', () => {
    expect(isValidConstraint('>=1.0.0,<2.0.0')).toBe(true);
    expect(isValidConstraint('^1 || ~2.1')).toBe(true);
  });

  it('returns the same cached object for the same text', () => {
    expect(parseConstraint('^3.1.0')).toBe(parseConstraint('^3.1.0'));
  });
});
