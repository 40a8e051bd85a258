import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { satisfiesConstraint } from '../index';

describe('satisfiesConstraint', () => {
  it.each([
    // the seed's grammar
    ['1.2.3', '1.2.3', true],
    ['1.2.4', '1.2.3', false],
    ['0.0.1', '*', true],
    ['1.5.2', '>=1.0.0,<2.0.0', true],
    ['2.0.0', '>=1.0.0,<2.0.0', false],
    ['1.0.0', '>1.0.0', false],
    ['1.0.0', '<=1.0.0', true],
    // npm's grammar
    ['1.9.9', '^1.2.0', true],
    ['2.0.0', '^1.2.0', false],
    ['0.2.5', '^0.2.3', true],
    ['0.3.0', '^0.2.3', false],
    ['1.2.9', '~1.2.0', true],
    ['1.3.0', '~1.2.0', false],
    ['1.7.0', '1.x', true],
    ['1.5.0', '1.0.0 - 2.0.0', true],
    ['2.0.1', '1.0.0 - 2.0.0', false],
    ['3.1.0', '^1.0.0 || ^3.0.0', true],
    ['1.5.0', '>=1.0.0 <2.0.0', true],
    // node-semver's prerelease rules
    ['1.1.0-beta', '>=1.0.0', false],
    ['1.1.0-beta', '*', false],
    ['1.0.0-beta.2', '>=1.0.0-beta.1', true],
    ['1.1.0-beta.2', '>=1.0.0-beta.1', false],
    ['2.0.0-rc.1', '^2.0.0-rc.0', true],
    ['1.0.0+build', '1.0.0', true],
  ])('%s satisfies %j: %s', (version, constraint, expected) => {
    expect(satisfiesConstraint(version, constraint)).toBe(expected);
  });

  it('throws INVALID_CONSTRAINT for an invalid constraint, never a silent false', () => {
    expect.assertions(1);
    try {
      satisfiesConstraint('1.0.0', '>= one');
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_CONSTRAINT')).toBe(true);
    }
  });

  it('throws INVALID_VERSION for an invalid version', () => {
    expect.assertions(1);
    try {
      satisfiesConstraint('1.0', '*');
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
    }
  });
});
