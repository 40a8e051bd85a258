import type { PluginMetadata } from '@agentplug/models';
import { PluginError } from '@agentplug/models';
import { pickPluginExport } from '../isolation/runtime/pick-plugin-export.mjs';

type Constructor = new (metadata: PluginMetadata, config: Record<string, unknown>) => object;
type Factory = (metadata: PluginMetadata, config: Record<string, unknown>) => unknown;

/**
 * Creates the plugin object from its entry module's exports: a `Plugin` class
 * (`new Plugin(metadata, config)`), a `createPlugin(metadata, config)` factory (may be async), or
 * a default export of either. Which export counts is decided by `pickPluginExport`, the one rule
 * the worker and process tiers use too.
 *
 * @throws PluginError ENTRY_INVALID when the module exports none of these or the factory returns no object
 */
export async function instantiatePlugin(
  moduleExports: Record<string, unknown>,
  options: { metadata: PluginMetadata; config: Record<string, unknown>; entryModulePath: string },
): Promise<object> {
  const picked = pickPluginExport(moduleExports);
  if (!picked) {
    throw new PluginError(
      'ENTRY_INVALID',
      `${options.entryModulePath} exports no Plugin class, createPlugin factory or default export of either`,
      { details: { entryModulePath: options.entryModulePath, exports: Object.keys(moduleExports) } },
    );
  }
  const instance =
    picked.kind === 'class'
      ? new (picked.value as unknown as Constructor)(options.metadata, options.config)
      : await (picked.value as unknown as Factory)(options.metadata, options.config);
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null) {
    throw new PluginError('ENTRY_INVALID', `the factory of ${options.entryModulePath} returned no object`, {
      details: { entryModulePath: options.entryModulePath },
    });
  }
  return instance;
}
