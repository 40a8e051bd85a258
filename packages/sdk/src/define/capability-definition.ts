import type { z } from 'zod';
import type { PluginContext } from './plugin-context';

/**
 * One capability of a defined plugin: a zod schema for its params object and the handler that
 * receives the parsed params. The manifest's JSON Schema is generated from `params`.
 */
export interface CapabilityDefinition<
  ParamsSchema extends z.ZodType = z.ZodType,
  Context = PluginContext,
  Result = unknown,
> {
  /** What the capability does; shown to agents and users. */
  description?: string;
  /** The capability's own semantic version (default `1.0.0`). */
  version?: string;
  /** The params object's schema; the handler gets its parsed output. */
  params: ParamsSchema;
  /** Does the work; may be async. */
  handler: (params: z.output<ParamsSchema>, context: Context) => Result | Promise<Result>;
}

/**
 * Declares one capability on its own, with the handler's params inferred from the schema, for
 * capabilities kept in their own module.
 *
 * @example
 * export const add = defineCapability({
 *   params: z.object({ a: z.number(), b: z.number() }),
 *   handler: ({ a, b }) => a + b,
 * });
 */
export function defineCapability<ParamsSchema extends z.ZodType, Context = PluginContext, Result = unknown>(
  capability: CapabilityDefinition<ParamsSchema, Context, Result>,
): CapabilityDefinition<ParamsSchema, Context, Result> {
  return capability;
}
