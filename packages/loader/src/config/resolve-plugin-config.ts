import {
  formatIssues,
  type PluginConfig,
  type PluginConfigInput,
  PluginError,
  type PluginMetadata,
  safeParseConfig,
} from '@agentplug/models';
import { compileJsonSchema, formatSchemaIssues } from './compile-json-schema';

/** What a caller may pass as `loadPlugin(id, { config })`: a config.json document, every key optional. */
export type PluginConfigOverride = Partial<PluginConfigInput>;

/** Options for {@link resolvePluginConfig}. */
export interface ResolvePluginConfigOptions {
  metadata: PluginMetadata;
  /** The plugin's config.json, when it has one. */
  fileConfig?: PluginConfig | undefined;
  /** The caller's configuration: wins over config.json. */
  callerConfig?: PluginConfigOverride | undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep-merges plain objects; arrays and other values of `override` replace those of `base`. */
function mergeValues(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? mergeValues(current, value) : value;
  }
  return merged;
}

/**
 * Builds a plugin's effective configuration: config_schema defaults, then config.json's
 * `config`, then the caller's; the other config.json keys (enabled, priority,
 * sandbox_config_override, ...) are taken from the caller over config.json over the defaults.
 * The values are checked against `config_schema` with ajv.
 *
 * @throws PluginError CONFIG_INVALID, with `details.issues` naming each JSON path (`$.config.precision`)
 */
export function resolvePluginConfig(options: ResolvePluginConfigOptions): PluginConfig {
  const pluginId = options.metadata.plugin_id;
  const caller = options.callerConfig ?? {};
  if (caller.plugin_id !== undefined && caller.plugin_id !== pluginId) {
    throw new PluginError('CONFIG_INVALID', `the configuration is for ${caller.plugin_id}, not ${pluginId}`, {
      details: { pluginId, issues: [{ path: '$.plugin_id', message: `must be ${pluginId}` }] },
    });
  }
  const file = options.fileConfig;
  const document: Record<string, unknown> = {
    ...file,
    ...caller,
    plugin_id: pluginId,
    config: mergeValues(file?.config ?? {}, isPlainObject(caller.config) ? caller.config : {}),
    sandbox_config_override: {
      ...file?.sandbox_config_override,
      ...(isPlainObject(caller.sandbox_config_override) ? caller.sandbox_config_override : {}),
    },
  };
  const parsed = safeParseConfig(document);
  if (!parsed.success) {
    throw new PluginError(
      'CONFIG_INVALID',
      `the configuration of ${pluginId} is invalid:\n${formatIssues(parsed.issues)}`,
      {
        details: {
          pluginId,
          issues: parsed.issues.map((issue) => ({ path: issue.path, message: issue.message })),
        },
      },
    );
  }
  const config = parsed.value;
  const schema = options.metadata.config_schema;
  if (schema) {
    const values = structuredClone(config.config);
    const issues = compileJsonSchema(schema, { pathPrefix: ['config'], errorCode: 'CONFIG_INVALID' }).check(
      values,
    );
    if (issues.length > 0) {
      throw new PluginError(
        'CONFIG_INVALID',
        `the configuration of ${pluginId} is invalid:\n${formatSchemaIssues(issues)}`,
        {
          details: { pluginId, issues },
        },
      );
    }
    config.config = values;
  }
  return config;
}
