import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { getLatestVersion } from '../index';

describe('getLatestVersion', () => {
  it('prefers the newest release over newer prereleases', () => {
    expect(getLatestVersion(['1.0.0', '2.0.0-rc.1', '1.5.0'])).toBe('1.5.0');
  });

  it('includes prereleases when asked', () => {
    expect(getLatestVersion(['1.0.0', '2.0.0-rc.1', '1.5.0'], { includePrerelease: true })).toBe(
      '2.0.0-rc.1',
    );
  });

  it('falls back to prereleases when nothing else exists', () => {
    expect(getLatestVersion(['1.0.0-alpha', '1.0.0-beta'])).toBe('1.0.0-beta');
  });

  it('returns undefined for an empty list', () => {
    expect(getLatestVersion([])).toBeUndefined();
  });

  it('keeps the first of versions equal in precedence', () => {
    expect(getLatestVersion(['1.0.0+b', '1.0.0+a'])).toBe('1.0.0+b');
  });

  it('rejects a list with an invalid version', () => {
    expect.assertions(1);
    try {
      getLatestVersion(['1.0.0', 'next']);
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
    }
  });
});
