import { PluginError, type PluginMetadata } from '@agentplug/models';
import type { z } from 'zod';
import type { PluginConfigValues } from '../types/plugin-entry';
import type { LifecycleHookResult } from '../types/plugin-lifecycle';
import type { CapabilityDefinition } from './capability-definition';
import { createDefinition, type PluginDefinitionInfo, type PluginHooks } from './create-definition';
import type {
  CapabilityDefinitions,
  CapabilitySchemas,
  ConfigSchema,
  DefinedPluginInstance,
} from './define-plugin';
import type { PluginContext } from './plugin-context';

/** The context of an integration's handlers: the plugin context plus the live connection. */
export interface IntegrationContext<Config, Connection> extends PluginContext<Config> {
  /** What `connect` returned; set while the plugin is ACTIVE. */
  readonly connection: Connection;
}

/** Options of {@link defineIntegration}. */
export interface DefineIntegrationOptions<
  Schemas extends CapabilitySchemas,
  PluginConfigSchema extends ConfigSchema,
  Connection,
> extends PluginHooks<PluginContext<z.output<PluginConfigSchema>>> {
  /** The configuration schema; the manifest's `config_schema` is generated from it. */
  config?: PluginConfigSchema;
  /** Opens the connection to the external service; runs on activate, before the `activate` hook. */
  connect: (context: PluginContext<z.output<PluginConfigSchema>>) => Connection | Promise<Connection>;
  /** Closes it; runs on deactivate (after the `deactivate` hook) and on unload if still open. */
  disconnect?: (
    connection: Connection,
    context: PluginContext<z.output<PluginConfigSchema>>,
  ) => LifecycleHookResult;
  /** The capabilities; handlers get the connection as `context.connection`. */
  capabilities?: CapabilityDefinitions<Schemas, IntegrationContext<z.output<PluginConfigSchema>, Connection>>;
}

/** What {@link defineIntegration} returns: a `createPlugin` factory like `definePlugin`'s. */
export interface IntegrationDefinition<Schemas extends CapabilitySchemas> extends PluginDefinitionInfo {
  (metadata: PluginMetadata, config?: PluginConfigValues): Promise<DefinedPluginInstance<Schemas>>;
  readonly createPlugin: IntegrationDefinition<Schemas>;
}

interface MutableIntegrationContext {
  metadata: PluginMetadata;
  config: unknown;
  connection: unknown;
  connected: boolean;
}

/**
 * Defines an `integration` plugin: `connect` runs when the plugin is activated and `disconnect`
 * when it is deactivated or unloaded, so a connection lives exactly while the plugin is ACTIVE.
 * Handlers called while not connected reject with `NOT_ACTIVE`.
 *
 * @example
 * export default defineIntegration({
 *   config: z.object({ url: z.string().url() }),
 *   connect: async ({ config }) => new ApiClient(config.url),
 *   disconnect: (client) => client.close(),
 *   capabilities: { fetchIssue: { params: z.object({ id: z.number() }), handler: ({ id }, { connection }) => connection.issue(id) } },
 * });
 */
export function defineIntegration<
  Connection,
  Schemas extends CapabilitySchemas = {},
  PluginConfigSchema extends ConfigSchema = ConfigSchema,
>(
  options: DefineIntegrationOptions<Schemas, PluginConfigSchema, Connection>,
): IntegrationDefinition<Schemas> {
  type Context = PluginContext<z.output<PluginConfigSchema>>;
  const disconnect = async (context: MutableIntegrationContext): Promise<void> => {
    if (!context.connected) return;
    const connection = context.connection as Connection;
    context.connected = false;
    context.connection = undefined;
    await options.disconnect?.(connection, context as unknown as Context);
  };
  return createDefinition<MutableIntegrationContext>({
    pluginType: 'integration',
    configSchema: options.config,
    capabilities: (options.capabilities ?? {}) as Record<
      string,
      CapabilityDefinition<z.ZodType, MutableIntegrationContext>
    >,
    hooks: {
      initialize: options.initialize
        ? (context) => options.initialize?.(context as unknown as Context)
        : undefined,
      activate: async (context) => {
        context.connection = await options.connect(context as unknown as Context);
        context.connected = true;
        await options.activate?.(context as unknown as Context);
      },
      deactivate: async (context) => {
        try {
          await options.deactivate?.(context as unknown as Context);
        } finally {
          await disconnect(context);
        }
      },
      cleanup: async (context) => {
        try {
          await disconnect(context);
        } finally {
          await options.cleanup?.(context as unknown as Context);
        }
      },
    },
    createContext: (metadata, config) => ({ metadata, config, connection: undefined, connected: false }),
    guardCall: (context, capability) => {
      if (!context.connected) {
        throw new PluginError(
          'NOT_ACTIVE',
          `${context.metadata.plugin_id}.${capability} needs a connection: activate the plugin first`,
          { details: { pluginId: context.metadata.plugin_id, capability } },
        );
      }
    },
  }) as unknown as IntegrationDefinition<Schemas>;
}
