import type { PluginMetadata } from '@agentplug/models';
import { describe, expectTypeOf, it } from 'vitest';
import type {
  AvailablePlugins,
  PluginVersionRecord,
  PluginVersionSource,
  ResolutionRoot,
  ResolveResult,
} from '../index';
import { resolveDependencies } from '../index';

describe('resolver input types', () => {
  it('accepts manifests as the root, as available versions and from getVersions', () => {
    expectTypeOf<PluginMetadata>().toExtend<ResolutionRoot>();
    expectTypeOf<PluginMetadata>().toExtend<PluginVersionRecord>();
    expectTypeOf<PluginMetadata[]>().toExtend<AvailablePlugins>();
    expectTypeOf<{ getVersions: (pluginId: string) => PluginMetadata[] }>().toExtend<PluginVersionSource>();
    expectTypeOf<{
      getVersions: (pluginId: string) => Promise<PluginMetadata[] | undefined>;
    }>().toExtend<PluginVersionSource>();
  });

  it("accepts the seed's [plugin_id, version] pairs", () => {
    expectTypeOf<[string, string][]>().toExtend<AvailablePlugins>();
  });

  it('narrows the result on ok', () => {
    expectTypeOf(resolveDependencies).returns.resolves.toEqualTypeOf<ResolveResult>();
    const result = {} as ResolveResult;
    if (result.ok) expectTypeOf(result.order).toEqualTypeOf<string[]>();
    else expectTypeOf(result.code).toEqualTypeOf<'DEPENDENCY_UNRESOLVED' | 'DEPENDENCY_CYCLE'>();
  });
});
