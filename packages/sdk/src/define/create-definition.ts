import {
  CAPABILITY_NAME_PATTERN,
  PluginError,
  type PluginMetadata,
  type PluginType,
  RESERVED_CAPABILITY_NAMES,
} from '@agentplug/models';
import type { z } from 'zod';
import type { PluginConfigValues, PluginInstance } from '../types/plugin-entry';
import type { LifecycleHookName, LifecycleHookResult } from '../types/plugin-lifecycle';
import type { CapabilityDefinition } from './capability-definition';
import { formatZodIssues, summarizeZodIssues } from './format-zod-issues';

/** Lifecycle hooks of a defined plugin: each receives the plugin's context. */
export interface PluginHooks<Context> {
  /** Runs once after construction (the loader's LOADING → LOADED). */
  initialize?: (context: Context) => LifecycleHookResult;
  /** Runs when the plugin becomes ACTIVE. */
  activate?: (context: Context) => LifecycleHookResult;
  /** Runs when the plugin leaves ACTIVE. */
  deactivate?: (context: Context) => LifecycleHookResult;
  /** Runs once on unload. */
  cleanup?: (context: Context) => LifecycleHookResult;
}

/** What the manifest helpers and the CLI read from a definition: everything but the handlers. */
export interface CapabilityInfo {
  name: string;
  description: string;
  version: string;
  /** The zod schema of the params object; the manifest's `parameters` is generated from it. */
  params: z.ZodType;
}

/** The parts of a definition that describe the plugin without running it. */
export interface PluginDefinitionInfo {
  /** The plugin_type the manifest must declare. */
  readonly pluginType: PluginType;
  /** Every capability by name, in declaration order. */
  readonly capabilities: Readonly<Record<string, CapabilityInfo>>;
  /** The zod schema of the plugin's configuration, when it has one. */
  readonly configSchema: z.ZodType | undefined;
}

/** The internal recipe the typed `define*` helpers share. */
export interface DefinitionRecipe<Context> {
  pluginType: PluginType;
  configSchema: z.ZodType | undefined;
  capabilities: Record<string, CapabilityDefinition<z.ZodType, Context>>;
  hooks: PluginHooks<Context>;
  createContext: (metadata: PluginMetadata, config: PluginConfigValues) => Context;
  /** Extra methods on the instance (a middleware's `handle`), bound to the context. */
  extraMethods?: Record<string, (context: Context, ...args: unknown[]) => unknown>;
  /** Lets a helper refuse a call (an integration that is not connected). */
  guardCall?: (context: Context, capability: string) => void;
}

/** A factory the loader calls as `createPlugin(metadata, config)`, carrying its description. */
export type DefinitionFactory = ((
  metadata: PluginMetadata,
  config?: PluginConfigValues,
) => Promise<PluginInstance>) &
  PluginDefinitionInfo & { readonly createPlugin: unknown };

const definitionBrand: unique symbol = Symbol.for('@agentplug/sdk/PluginDefinition');

/**
 * Whether a value (an entry module's export) was made by `definePlugin` or a typed helper; works
 * across duplicate copies of the sdk.
 */
export function isPluginDefinition(value: unknown): value is PluginDefinitionInfo {
  return (
    typeof value === 'function' && (value as unknown as Record<symbol, unknown>)[definitionBrand] === true
  );
}

const hookNames: readonly LifecycleHookName[] = ['initialize', 'activate', 'deactivate', 'cleanup'];

function checkCapabilityName(name: string): void {
  if (!CAPABILITY_NAME_PATTERN.test(name) || RESERVED_CAPABILITY_NAMES.has(name)) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `capability name "${name}" is not allowed: use a method name (letters, digits, _ and $) that is not a lifecycle hook or built-in`,
      { details: { capability: name } },
    );
  }
}

function parseConfig(schema: z.ZodType | undefined, metadata: PluginMetadata, config: unknown): unknown {
  if (schema === undefined) return config ?? {};
  const result = schema.safeParse(config ?? {});
  if (!result.success) {
    throw new PluginError(
      'CONFIG_INVALID',
      `configuration of ${metadata.plugin_id} is invalid: ${formatZodIssues(result.error.issues)}`,
      { details: { pluginId: metadata.plugin_id, issues: summarizeZodIssues(result.error.issues) } },
    );
  }
  return result.data;
}

/**
 * Builds the `createPlugin` factory of a definition: it parses the config, then returns an object
 * with one method per capability (params parsed by their zod schema) and the given hooks.
 */
export function createDefinition<Context>(recipe: DefinitionRecipe<Context>): DefinitionFactory {
  const capabilities: Record<string, CapabilityInfo> = {};
  for (const [name, capability] of Object.entries(recipe.capabilities)) {
    checkCapabilityName(name);
    capabilities[name] = {
      name,
      description: capability.description ?? '',
      version: capability.version ?? '1.0.0',
      params: capability.params,
    };
  }

  // An arrow function has no prototype, so no loader mistakes it for a class.
  const createPlugin = async (
    metadata: PluginMetadata,
    config?: PluginConfigValues,
  ): Promise<PluginInstance> => {
    const parsedConfig = parseConfig(recipe.configSchema, metadata, config) as PluginConfigValues;
    const context = recipe.createContext(metadata, parsedConfig);
    const instance: Record<string, unknown> = {};
    for (const [name, capability] of Object.entries(recipe.capabilities)) {
      instance[name] = async (params: unknown) => {
        recipe.guardCall?.(context, name);
        const parsed = await capability.params.safeParseAsync(params ?? {});
        if (!parsed.success) {
          throw new PluginError(
            'INVALID_PARAMS',
            `${metadata.plugin_id}.${name}: ${formatZodIssues(parsed.error.issues)}`,
            {
              details: {
                pluginId: metadata.plugin_id,
                capability: name,
                issues: summarizeZodIssues(parsed.error.issues),
              },
            },
          );
        }
        return capability.handler(parsed.data, context);
      };
    }
    for (const hook of hookNames) {
      const run = recipe.hooks[hook];
      if (run !== undefined) instance[hook] = async () => run(context);
    }
    for (const [name, method] of Object.entries(recipe.extraMethods ?? {})) {
      instance[name] = (...args: unknown[]) => method(context, ...args);
    }
    return instance;
  };

  return Object.assign(createPlugin, {
    pluginType: recipe.pluginType,
    capabilities: Object.freeze(capabilities),
    configSchema: recipe.configSchema,
    createPlugin,
    [definitionBrand]: true,
  });
}
