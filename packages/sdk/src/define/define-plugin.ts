import type { PluginMetadata, PluginType } from '@agentplug/models';
import type { z } from 'zod';
import type { PluginConfigValues } from '../types/plugin-entry';
import type { PluginLifecycle } from '../types/plugin-lifecycle';
import type { CapabilityDefinition } from './capability-definition';
import {
  type CapabilityInfo,
  createDefinition,
  type PluginDefinitionInfo,
  type PluginHooks,
} from './create-definition';
import type { PluginContext } from './plugin-context';

/** The params schema of each capability, by capability name. */
export type CapabilitySchemas = Record<string, z.ZodType>;

/** A zod schema of a plugin's configuration object. */
export type ConfigSchema = z.ZodType<PluginConfigValues>;

/** Capability definitions by name; each handler's params are inferred from its own schema. */
export type CapabilityDefinitions<Schemas extends CapabilitySchemas, Context> = {
  [Name in keyof Schemas]: CapabilityDefinition<Schemas[Name], Context>;
};

/** The object `createPlugin` returns: the lifecycle hooks and one async method per capability. */
export type DefinedPluginInstance<Schemas extends CapabilitySchemas> = PluginLifecycle & {
  [Name in keyof Schemas]: (params: z.input<Schemas[Name]>) => Promise<unknown>;
};

/**
 * What `definePlugin` returns: the `createPlugin(metadata, config)` factory the loader calls
 * (export it as `createPlugin` or as the default export), carrying the capabilities and config
 * schema the manifest helpers read.
 */
export interface PluginDefinition<
  Schemas extends CapabilitySchemas = CapabilitySchemas,
  Config extends PluginConfigValues = PluginConfigValues,
> extends PluginDefinitionInfo {
  (metadata: PluginMetadata, config?: PluginConfigValues): Promise<DefinedPluginInstance<Schemas>>;
  /** The factory itself, for `export const { createPlugin } = definition`. */
  readonly createPlugin: PluginDefinition<Schemas, Config>;
  readonly capabilities: Readonly<Record<keyof Schemas & string, CapabilityInfo>>;
  /** Type-only: the parsed configuration the handlers see. */
  readonly __config?: Config;
}

/** Options of {@link definePlugin}. */
export interface DefinePluginOptions<
  Schemas extends CapabilitySchemas,
  PluginConfigSchema extends ConfigSchema,
> extends PluginHooks<PluginContext<z.output<PluginConfigSchema>>> {
  /** The seed's plugin_type; `tool` when left out. */
  type?: PluginType;
  /** The configuration schema; the manifest's `config_schema` is generated from it. */
  config?: PluginConfigSchema;
  /** The capabilities by name: a params schema and a handler each. */
  capabilities?: CapabilityDefinitions<Schemas, PluginContext<z.output<PluginConfigSchema>>>;
}

/**
 * Defines a plugin from zod schemas and handlers. Each handler's params type is inferred from its
 * schema, and plugin.json's capabilities are generated from the same schemas (see
 * `createManifest`), so code and manifest cannot drift.
 *
 * The returned factory validates the config (`CONFIG_INVALID`) and each call's params
 * (`INVALID_PARAMS`) with the zod schemas, applying their defaults.
 *
 * @throws PluginError INVALID_ARGUMENT when a capability name is not usable as a method name
 * @example
 * export const createPlugin = definePlugin({
 *   config: z.object({ greeting: z.string().default('Hello') }),
 *   capabilities: {
 *     greet: {
 *       description: 'Greets someone by name',
 *       params: z.object({ name: z.string() }),
 *       handler: ({ name }, { config }) => `${config.greeting}, ${name}!`,
 *     },
 *   },
 * });
 */
export function definePlugin<
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: DefinePluginOptions<Schemas, PluginConfigSchema>,
): PluginDefinition<Schemas, z.output<PluginConfigSchema>> {
  type Context = PluginContext<z.output<PluginConfigSchema>>;
  return createDefinition<Context>({
    pluginType: options.type ?? 'tool',
    configSchema: options.config,
    capabilities: (options.capabilities ?? {}) as Record<string, CapabilityDefinition<z.ZodType, Context>>,
    hooks: options,
    createContext: (metadata, config) => ({ metadata, config: config as z.output<PluginConfigSchema> }),
  }) as unknown as PluginDefinition<Schemas, z.output<PluginConfigSchema>>;
}
