import type { z } from 'zod';
import {
  type CapabilitySchemas,
  type ConfigSchema,
  definePlugin,
  type PluginDefinition,
} from './define-plugin';
import type { TypedPluginOptions } from './define-tool';

/**
 * Defines a `custom` plugin: anything the other types do not cover.
 *
 * @example
 * export default defineCustom({
 *   capabilities: { echo: { params: z.object({ text: z.string() }), handler: ({ text }) => text } },
 * });
 */
export function defineCustom<
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: TypedPluginOptions<Schemas, PluginConfigSchema>,
): PluginDefinition<Schemas, z.output<PluginConfigSchema>> {
  return definePlugin<Schemas, PluginConfigSchema>({ ...options, type: 'custom' });
}
