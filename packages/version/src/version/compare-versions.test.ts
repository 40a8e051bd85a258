import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../index';

describe('compareVersions', () => {
  it.each([
    ['1.0.0', '2.0.0', -1],
    ['2.0.0', '1.0.0', 1],
    ['1.2.3', '1.2.3', 0],
    ['1.0.0-alpha', '1.0.0', -1],
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-beta.2', '1.0.0-beta.11', -1],
    ['1.0.0-rc.1', '1.0.0-beta.11', 1],
    ['1.0.0+build.1', '1.0.0+build.2', 0],
    ['1.10.0', '1.9.0', 1],
  ])('compares %s with %s by precedence', (left, right, expected) => {
    expect(compareVersions(left, right)).toBe(expected);
  });

  it('rejects an invalid version on either side', () => {
    expect(() => compareVersions('1.0', '1.0.0')).toThrowError(/Invalid version "1.0"/);
    try {
      compareVersions('1.0.0', 'latest');
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
    }
    expect.assertions(2);
  });
});
