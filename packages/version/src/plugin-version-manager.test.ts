import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { PluginVersionManager } from './index';

describe('PluginVersionManager', () => {
  const manager = new PluginVersionManager({ runtimeVersion: '1.5.0' });

  it("offers the seed's operations as methods", () => {
    expect(manager.parseVersion('1.2.3').minor).toBe(2);
    expect(manager.compareVersions('1.0.0', '1.0.1')).toBe(-1);
    expect(manager.satisfiesConstraint('1.5.2', '>=1.0.0,<2.0.0')).toBe(true);
    expect(manager.parseConstraint('^1.0.0').range).toBe('>=1.0.0 <2.0.0-0');
    expect(manager.isValidConstraint('nope')).toBe(false);
    expect(manager.getLatestVersion(['1.0.0', '1.1.0'])).toBe('1.1.0');
  });

  it('checks runtime compatibility against its own runtime version by default', () => {
    expect(
      manager.checkRuntimeCompatibility({ min_runtime_version: '1.0.0', max_runtime_version: '*' }),
    ).toBe(true);
    expect(manager.checkRuntimeCompatibility({ min_runtime_version: '1.0.0' }, '0.5.0')).toBe(false);
  });

  it('needs a runtime version from somewhere', () => {
    expect.assertions(1);
    try {
      new PluginVersionManager().checkRuntimeCompatibility({});
    } catch (error) {
      expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('resolves with its runtime version, sync and async', async () => {
    const available = [
      { plugin_id: 'a', version: '1.0.0' },
      { plugin_id: 'a', version: '2.0.0', min_runtime_version: '2.0.0' },
    ];
    const root = { dependencies: [{ plugin_id: 'a' }] };
    expect(manager.resolveDependenciesSync(root, available)).toMatchObject({
      ok: true,
      solution: { a: '1.0.0' },
    });
    expect(await manager.resolveDependencies(root, available)).toMatchObject({
      ok: true,
      solution: { a: '1.0.0' },
    });
    expect(await manager.resolveDependencies(root, available, { runtimeVersion: '2.0.0' })).toMatchObject({
      solution: { a: '2.0.0' },
    });
  });
});
