import type { PluginMetadata } from '@agentplug/models';
import type { z } from 'zod';
import type { PluginConfigValues } from '../types/plugin-entry';
import type { PluginLifecycle } from '../types/plugin-lifecycle';
import type { CapabilityDefinition } from './capability-definition';
import { createDefinition, type PluginDefinitionInfo } from './create-definition';
import type { CapabilitySchemas, ConfigSchema, DefinedPluginInstance } from './define-plugin';
import type { TypedPluginOptions } from './define-tool';
import type { PluginContext } from './plugin-context';

/** Passes control to the next middleware (or the host's final handler), optionally with a new value. */
export type MiddlewareNext<Value = unknown, Result = unknown> = (value?: Value) => Promise<Result>;

/** A middleware's `handle` as the host calls it: the request value and `next`. */
export type MiddlewareHandle<Value = unknown, Result = unknown> = (
  value: Value,
  next: MiddlewareNext<Value, Result>,
) => Result | Promise<Result>;

/** The instance of a middleware plugin: the hooks, its capabilities, and `handle(value, next)`. */
export type MiddlewarePluginInstance<
  Schemas extends CapabilitySchemas,
  Value,
  Result,
> = DefinedPluginInstance<Schemas> & { handle: MiddlewareHandle<Value, Result> } & PluginLifecycle;

/** What {@link defineMiddleware} returns: a `createPlugin` factory like `definePlugin`'s. */
export interface MiddlewareDefinition<Schemas extends CapabilitySchemas, Value, Result>
  extends PluginDefinitionInfo {
  (
    metadata: PluginMetadata,
    config?: PluginConfigValues,
  ): Promise<MiddlewarePluginInstance<Schemas, Value, Result>>;
  readonly createPlugin: MiddlewareDefinition<Schemas, Value, Result>;
}

/** Options of {@link defineMiddleware}. */
export interface DefineMiddlewareOptions<
  Schemas extends CapabilitySchemas,
  PluginConfigSchema extends ConfigSchema,
  Value,
  Result,
> extends TypedPluginOptions<Schemas, PluginConfigSchema> {
  /**
   * Handles one request: do work before and after `await next(value)`, or return without calling
   * `next` to short-circuit. The third argument is the plugin's context (config, metadata).
   */
  handle: (
    value: Value,
    next: MiddlewareNext<Value, Result>,
    context: PluginContext<z.output<PluginConfigSchema>>,
  ) => Result | Promise<Result>;
}

/**
 * Defines a `middleware` plugin: `handle(value, next)` wraps the host's request handling. Hosts
 * chain the active middleware with `composeMiddleware`, by priority. Middleware is called with a
 * function (`next`), so it runs in the host's thread (`isolation: "none"`).
 *
 * @example
 * export default defineMiddleware<{ prompt: string }, string>({
 *   handle: async (request, next) => (await next({ prompt: request.prompt.trim() })).toUpperCase(),
 * });
 */
export function defineMiddleware<
  Value = unknown,
  Result = unknown,
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: DefineMiddlewareOptions<Schemas, PluginConfigSchema, Value, Result>,
): MiddlewareDefinition<Schemas, Value, Result> {
  type Context = PluginContext<z.output<PluginConfigSchema>>;
  return createDefinition<Context>({
    pluginType: 'middleware',
    configSchema: options.config,
    capabilities: (options.capabilities ?? {}) as Record<string, CapabilityDefinition<z.ZodType, Context>>,
    hooks: options,
    createContext: (metadata, config) => ({ metadata, config: config as z.output<PluginConfigSchema> }),
    extraMethods: {
      handle: (context, value, next) =>
        options.handle(value as Value, next as MiddlewareNext<Value, Result>, context),
    },
  }) as unknown as MiddlewareDefinition<Schemas, Value, Result>;
}
