import type { z } from 'zod';
import {
  type CapabilitySchemas,
  type ConfigSchema,
  definePlugin,
  type PluginDefinition,
} from './define-plugin';
import type { TypedPluginOptions } from './define-tool';

/**
 * Defines an `engine` plugin: an execution engine (reasoning, planning) offered as capabilities.
 *
 * @example
 * export default defineEngine({
 *   capabilities: { plan: { params: z.object({ goal: z.string() }), handler: ({ goal }) => [`research ${goal}`] } },
 * });
 */
export function defineEngine<
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: TypedPluginOptions<Schemas, PluginConfigSchema>,
): PluginDefinition<Schemas, z.output<PluginConfigSchema>> {
  return definePlugin<Schemas, PluginConfigSchema>({ ...options, type: 'engine' });
}
