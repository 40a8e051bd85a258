import type { z } from 'zod';
import {
  type CapabilitySchemas,
  type ConfigSchema,
  type DefinePluginOptions,
  definePlugin,
  type PluginDefinition,
} from './define-plugin';

/** Options of the typed helpers whose plugin_type is fixed by the helper. */
export type TypedPluginOptions<
  Schemas extends CapabilitySchemas,
  PluginConfigSchema extends ConfigSchema,
> = Omit<DefinePluginOptions<Schemas, PluginConfigSchema>, 'type'>;

/**
 * Defines a `tool` plugin: capabilities an agent calls.
 *
 * @example
 * export default defineTool({
 *   capabilities: { add: { params: z.object({ a: z.number(), b: z.number() }), handler: ({ a, b }) => a + b } },
 * });
 */
export function defineTool<
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: TypedPluginOptions<Schemas, PluginConfigSchema>,
): PluginDefinition<Schemas, z.output<PluginConfigSchema>> {
  return definePlugin<Schemas, PluginConfigSchema>({ ...options, type: 'tool' });
}
