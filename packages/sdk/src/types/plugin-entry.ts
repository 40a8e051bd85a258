import type { PluginMetadata } from '@agentplug/models';
import type { PluginLifecycle } from './plugin-lifecycle';

/** A plugin's own configuration: config.json's `config` merged over defaults, as the loader passes it. */
export type PluginConfigValues = Record<string, unknown>;

/**
 * A live plugin object: the optional lifecycle hooks plus one method per capability, named as in
 * the manifest's `capabilities` and called with one validated params object.
 */
export type PluginInstance = object & PluginLifecycle;

/**
 * The `Plugin` class an entry module may export: the loader calls `new Plugin(metadata, config)`.
 *
 * @example
 * export class Plugin implements PluginLifecycle {
 *   constructor(readonly metadata: PluginMetadata, readonly config: { greeting: string }) {}
 *   greet(params: { name: string }): string { return `${this.config.greeting}, ${params.name}`; }
 * }
 */
export type Plugin<
  Config extends PluginConfigValues = PluginConfigValues,
  Instance extends PluginInstance = PluginInstance,
> = new (metadata: PluginMetadata, config: Config) => Instance;

/**
 * The `createPlugin(metadata, config)` factory an entry module may export instead of a class; it
 * may be async.
 *
 * @example
 * export const createPlugin: CreatePlugin = (metadata, config) => ({ greet: ({ name }) => `Hello, ${name}` });
 */
export type CreatePlugin<
  Config extends PluginConfigValues = PluginConfigValues,
  Instance extends PluginInstance = PluginInstance,
> = (metadata: PluginMetadata, config: Config) => Instance | Promise<Instance>;

/**
 * What the loader accepts from an entry module: a `Plugin` class, a `createPlugin` factory, or a
 * default export of either.
 */
export interface PluginEntryModule {
  Plugin?: Plugin;
  createPlugin?: CreatePlugin;
  default?: Plugin | CreatePlugin;
}
