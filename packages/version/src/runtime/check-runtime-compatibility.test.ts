import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { checkRuntimeCompatibility } from '../index';

describe('checkRuntimeCompatibility', () => {
  it.each([
    [{ min_runtime_version: '1.0.0', max_runtime_version: '*' }, '1.5.0', true],
    [{ min_runtime_version: '1.0.0', max_runtime_version: '2.0.0' }, '1.0.0', true],
    [{ min_runtime_version: '1.0.0', max_runtime_version: '2.0.0' }, '2.0.0', true],
    [{ min_runtime_version: '1.0.0', max_runtime_version: '2.0.0' }, '2.0.1', false],
    [{ min_runtime_version: '1.0.0', max_runtime_version: '2.0.0' }, '0.9.9', false],
    [{ min_runtime_version: '*', max_runtime_version: '*' }, '0.0.1', true],
    [{}, '9.9.9', true],
    [{ max_runtime_version: '1.0.0' }, '1.0.0+build', true],
    [{ min_runtime_version: '2.0.0' }, '2.0.0-beta', false],
  ])('%j with runtime %s: %s', (metadata, runtime, expected) => {
    expect(checkRuntimeCompatibility(metadata, runtime)).toBe(expected);
  });

  it('reports a manifest whose min is above its max instead of calling it incompatible', () => {
    expect.assertions(2);
    try {
      checkRuntimeCompatibility(
        { plugin_id: 'com.example.a', min_runtime_version: '3.0.0', max_runtime_version: '2.0.0' } as never,
        '2.5.0',
      );
    } catch (error) {
      expect(PluginError.is(error, 'MANIFEST_INVALID')).toBe(true);
      expect((error as Error).message).toContain(
        'com.example.a: min_runtime_version 3.0.0 is above max_runtime_version 2.0.0',
      );
    }
  });

  it.each([
    [{ min_runtime_version: '1.0' }, '1.0.0', 'min_runtime_version "1.0"'],
    [{ max_runtime_version: 'latest' }, '1.0.0', 'max_runtime_version "latest"'],
    [{}, 'one', 'Invalid version "one"'],
  ])('rejects the malformed %j / %s', (metadata, runtime, problem) => {
    expect.assertions(2);
    try {
      checkRuntimeCompatibility(metadata, runtime);
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_VERSION')).toBe(true);
      expect((error as Error).message).toContain(problem);
    }
  });
});
