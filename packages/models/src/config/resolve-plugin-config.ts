import { formatReasons } from '../errors/format-reasons';
import { PluginError } from '../errors/plugin-error';
import { isJsonObject, mergeJsonObjects } from '../json/json-object';
import { closestKey, listIssues } from '../manifest/issues';
import { safeParseConfig } from '../manifest/parse-config';
import { CONFIG_KEYS, type PluginConfig, type PluginConfigInput } from '../schemas/plugin-config';
import type { PluginMetadata } from '../schemas/plugin-metadata';
import { compileJsonSchema, listSchemaIssues } from './compile-json-schema';

/** What a caller may pass as `loadPlugin(id, { config })`: a config.json document, every key optional. */
export type PluginConfigOverride = Partial<PluginConfigInput>;

/** Options for {@link resolvePluginConfig}. */
export interface ResolvePluginConfigOptions {
  metadata: PluginMetadata;
  /** The plugin's shipped config.json, when it has one: the defaults the plugin comes with. */
  fileConfig?: PluginConfig | undefined;
  /** The operator's configuration (see `readOperatorConfig`): wins over the shipped config.json. */
  operatorConfig?: OperatorConfigLayer | undefined;
  /** The caller's configuration: wins over both. */
  callerConfig?: PluginConfigOverride | undefined;
}

/** The operator's configuration of one plugin and the file it came from (for messages). */
export interface OperatorConfigLayer {
  path: string;
  document: PluginConfigOverride;
}

/**
 * The keys of a config.json document a caller or an operator wrote that config.json does not have,
 * each with what was probably meant: `precision` → `config.precision` when the plugin's
 * config_schema has such a property, else the closest config.json key.
 */
export function findUnknownConfigKeys(
  document: Record<string, unknown>,
  metadata: Pick<PluginMetadata, 'config_schema'>,
): { key: string; suggestion: string | undefined }[] {
  const schemaProperties = metadata.config_schema?.properties;
  const settings = isJsonObject(schemaProperties) ? Object.keys(schemaProperties) : [];
  const unknown: { key: string; suggestion: string | undefined }[] = [];
  for (const key of Object.keys(document)) {
    if (CONFIG_KEYS.includes(key)) continue;
    const setting = settings.includes(key) ? key : closestKey(key, settings);
    const suggestion = setting !== undefined ? `config.${setting}` : closestKey(key, CONFIG_KEYS);
    unknown.push({ key, suggestion });
  }
  return unknown;
}

/**
 * Refuses keys config.json does not have, with a did-you-mean: they would be ignored silently.
 * @throws PluginError CONFIG_INVALID
 */
function refuseUnknownKeys(document: Record<string, unknown>, metadata: PluginMetadata, where: string): void {
  const unknown = findUnknownConfigKeys(document, metadata);
  if (unknown.length === 0) return;
  const reasons = unknown.map(
    ({ key, suggestion }) =>
      `unknown key "${key}"${suggestion === undefined ? '' : `: did you mean "${suggestion}"?`}`,
  );
  throw new PluginError(
    'CONFIG_INVALID',
    formatReasons(`${where} for ${metadata.plugin_id} has keys config.json does not have`, [
      ...reasons,
      `the plugin's own settings go under "config", for example { config: { ${unknown[0]?.key}: ... } }`,
    ]),
    {
      details: {
        pluginId: metadata.plugin_id,
        issues: unknown.map(({ key, suggestion }) => ({
          path: `$.${key}`,
          message: 'unknown key',
          suggestion,
        })),
      },
    },
  );
}

/**
 * Builds a plugin's effective configuration in layers: config_schema defaults, then the shipped
 * config.json, then the operator's configuration, then the caller's (`config` deep-merged,
 * `sandbox_config_override` key by key, other keys replaced). The caller's and the operator's
 * documents may only use config.json's keys. The values are checked against `config_schema`
 * with ajv, defaults filled in.
 *
 * @throws PluginError CONFIG_INVALID, with `details.issues` naming each JSON path (`$.config.precision`); the first reason is on the message's first line
 */
export function resolvePluginConfig(options: ResolvePluginConfigOptions): PluginConfig {
  const { metadata } = options;
  const pluginId = metadata.plugin_id;
  const caller = options.callerConfig ?? {};
  if (!isJsonObject(caller)) {
    throw new PluginError('CONFIG_INVALID', `the configuration passed for ${pluginId} must be an object`, {
      details: { pluginId, issues: [{ path: '$', message: 'must be an object' }] },
    });
  }
  refuseUnknownKeys(caller, metadata, 'the configuration passed to loadPlugin');
  const operator = options.operatorConfig;
  if (operator !== undefined) refuseUnknownKeys(operator.document, metadata, operator.path);
  for (const [document, where] of [
    [caller, 'the configuration passed to loadPlugin'],
    [operator?.document, operator?.path],
  ] as const) {
    if (document?.plugin_id !== undefined && document.plugin_id !== pluginId) {
      throw new PluginError('CONFIG_INVALID', `${where} is for ${document.plugin_id}, not ${pluginId}`, {
        details: { pluginId, issues: [{ path: '$.plugin_id', message: `must be ${pluginId}` }] },
      });
    }
  }
  const layers = [options.fileConfig ?? {}, operator?.document ?? {}, caller] as Record<string, unknown>[];
  let document: Record<string, unknown> = {};
  let values: Record<string, unknown> = {};
  let sandbox: Record<string, unknown> = {};
  for (const layer of layers) {
    document = { ...document, ...layer };
    if (isJsonObject(layer.config)) values = mergeJsonObjects(values, layer.config);
    if (isJsonObject(layer.sandbox_config_override)) {
      sandbox = { ...sandbox, ...layer.sandbox_config_override };
    }
  }
  document.plugin_id = pluginId;
  document.config = values;
  document.sandbox_config_override = sandbox;
  const headline =
    operator === undefined
      ? `the configuration of ${pluginId} is invalid`
      : `the configuration of ${pluginId} (operator settings in ${operator.path}) is invalid`;
  const parsed = safeParseConfig(document);
  if (!parsed.success) {
    throw new PluginError('CONFIG_INVALID', formatReasons(headline, listIssues(parsed.issues)), {
      details: {
        pluginId,
        operatorConfigPath: operator?.path,
        issues: parsed.issues.map((issue) => ({ path: issue.path, message: issue.message })),
      },
    });
  }
  const config = parsed.value;
  const schema = metadata.config_schema;
  if (schema) {
    const checked = structuredClone(config.config);
    const issues = compileJsonSchema(schema, { pathPrefix: ['config'], errorCode: 'CONFIG_INVALID' }).check(
      checked,
    );
    if (issues.length > 0) {
      throw new PluginError('CONFIG_INVALID', formatReasons(headline, listSchemaIssues(issues)), {
        details: { pluginId, operatorConfigPath: operator?.path, issues },
      });
    }
    config.config = checked;
  }
  return config;
}
