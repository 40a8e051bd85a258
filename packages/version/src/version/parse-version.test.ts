import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { isValidVersion, parseVersion } from '../index';

function errorOf(action: () => unknown): PluginError {
  try {
    action();
  } catch (error) {
    if (PluginError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a PluginError');
}

describe('parseVersion', () => {
  it('parses a release', () => {
    expect(parseVersion('1.2.3')).toEqual({
      version: '1.2.3',
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: [],
      build: [],
    });
  });

  it('parses prerelease and build metadata', () => {
    const parsed = parseVersion('1.0.0-beta.2+sha.5');
    expect(parsed.prerelease).toEqual(['beta', 2]);
    expect(parsed.build).toEqual(['sha', '5']);
  });

  it.each([
    ['', 'it is empty'],
    ['1.2', 'exactly three dot-separated numbers'],
    ['1.2.3.4', 'exactly three dot-separated numbers'],
    ['v1.2.3', 'starts with "v"'],
    ['=1.2.3', 'starts with "="'],
    [' 1.2.3', 'whitespace'],
    ['01.2.3', 'MAJOR "01" has a leading zero'],
    ['1.x.3', 'MINOR "x" is not a non-negative integer'],
    ['1.2.-3', 'PATCH is missing'],
    ['1.2.x', 'PATCH "x" is not a non-negative integer'],
    ['1.2.3-', 'the prerelease has an empty identifier'],
    ['1.2.3-beta..1', 'the prerelease has an empty identifier'],
    ['1.2.3-01', 'has a leading zero'],
    ['1.2.3-be_ta', 'may only contain'],
    ['1.2.3+', 'the build metadata has an empty identifier'],
    ['1.2.3+a_b', 'may only contain'],
    ['99999999999999999999.0.0', 'too large'],
    [`1.2.3-${'a'.repeat(300)}`, 'longer than 256'],
  ])('rejects %j saying what is wrong', (input, problem) => {
    const error = errorOf(() => parseVersion(input));
    expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
    expect(error.message).toContain(problem);
  });

  it.each([[1], [null], [undefined], [{}]])('rejects the non-string %j', (input) => {
    const error = errorOf(() => parseVersion(input as unknown as string));
    expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
    expect(error.message).toContain('expected a string');
  });

  it('isValidVersion answers without throwing', () => {
    expect(isValidVersion('1.0.0-rc.1')).toBe(true);
    expect(isValidVersion('1.0')).toBe(false);
  });
});
