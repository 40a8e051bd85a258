import { z } from 'zod';
import { pluginIdField } from './plugin-dependency';
import { type SandboxConfigOverride, SandboxConfigOverrideSchema } from './sandbox-config';

/** A parsed config.json: how the host runs a plugin. */
export interface PluginConfig {
  plugin_id: string;
  enabled: boolean;
  auto_load: boolean;
  /** Higher loads first among plugins with no dependency between them. */
  priority: number;
  config: Record<string, unknown>;
  sandbox_config_override: SandboxConfigOverride;
  [key: string]: unknown;
}

/** config.json as written: only `plugin_id` is required. */
export interface PluginConfigInput {
  plugin_id: string;
  enabled?: boolean;
  auto_load?: boolean;
  priority?: number;
  config?: Record<string, unknown>;
  sandbox_config_override?: SandboxConfigOverride;
  [key: string]: unknown;
}

/** Schema of {@link PluginConfig} (config.json). */
export const PluginConfigSchema: z.ZodType<PluginConfig, PluginConfigInput> = z.looseObject({
  plugin_id: pluginIdField(),
  enabled: z.boolean().default(true),
  auto_load: z.boolean().default(false),
  priority: z.number().int().default(0),
  config: z.record(z.string(), z.unknown()).default({}),
  sandbox_config_override: SandboxConfigOverrideSchema.default({}),
});

/** The top-level keys config.json is known to have. */
export const CONFIG_KEYS: readonly string[] = [
  '$schema',
  'plugin_id',
  'enabled',
  'auto_load',
  'priority',
  'config',
  'sandbox_config_override',
];
