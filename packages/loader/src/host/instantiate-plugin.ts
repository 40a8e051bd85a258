import type { PluginMetadata } from '@agentplug/models';
import { PluginError } from '@agentplug/models';

type Constructor = new (metadata: PluginMetadata, config: Record<string, unknown>) => object;
type Factory = (metadata: PluginMetadata, config: Record<string, unknown>) => unknown;

function isClass(value: Function): boolean {
  if (/^class[\s{]/.test(Function.prototype.toString.call(value))) return true;
  // An old-style constructor function has methods on its prototype beyond `constructor`.
  const prototype = (value as { prototype?: object }).prototype;
  return prototype !== undefined && Object.getOwnPropertyNames(prototype).length > 1;
}

function pickExport(
  moduleExports: Record<string, unknown>,
): { kind: 'class' | 'factory'; value: Function } | undefined {
  if (typeof moduleExports.Plugin === 'function') return { kind: 'class', value: moduleExports.Plugin };
  if (typeof moduleExports.createPlugin === 'function')
    return { kind: 'factory', value: moduleExports.createPlugin };
  const fallback = moduleExports.default;
  if (typeof fallback === 'function')
    return { kind: isClass(fallback) ? 'class' : 'factory', value: fallback };
  if (typeof fallback === 'object' && fallback !== null && fallback !== moduleExports) {
    // A CommonJS module.exports object, or an ES default export object, holding Plugin or createPlugin.
    return pickExport(fallback as Record<string, unknown>);
  }
  return undefined;
}

/**
 * Creates the plugin object from its entry module's exports: a `Plugin` class
 * (`new Plugin(metadata, config)`), a `createPlugin(metadata, config)` factory (may be async), or
 * a default export of either.
 *
 * @throws PluginError ENTRY_INVALID when the module exports none of these or the factory returns no object
 */
export async function instantiatePlugin(
  moduleExports: Record<string, unknown>,
  options: { metadata: PluginMetadata; config: Record<string, unknown>; entryModulePath: string },
): Promise<object> {
  const picked = pickExport(moduleExports);
  if (!picked) {
    throw new PluginError(
      'ENTRY_INVALID',
      `${options.entryModulePath} exports no Plugin class, createPlugin factory or default export of either`,
      { details: { entryModulePath: options.entryModulePath, exports: Object.keys(moduleExports) } },
    );
  }
  const instance =
    picked.kind === 'class'
      ? new (picked.value as Constructor)(options.metadata, options.config)
      : await (picked.value as Factory)(options.metadata, options.config);
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null) {
    throw new PluginError('ENTRY_INVALID', `the factory of ${options.entryModulePath} returned no object`, {
      details: { entryModulePath: options.entryModulePath },
    });
  }
  return instance;
}
