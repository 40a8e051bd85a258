import {
  formatIssues,
  type JsonSchemaObject,
  MANIFEST_KEYS,
  type ManifestIssue,
  type PluginCapability,
  PluginError,
  type PluginMetadataInput,
  safeParseManifest,
} from '@agentplug/models';
import { z } from 'zod';
import type { PluginDefinitionInfo } from './create-definition';

/** The manifest fields a definition does not know: identity, entry point, permissions, ... */
export type ManifestBase = Pick<
  PluginMetadataInput,
  | '$schema'
  | 'plugin_id'
  | 'name'
  | 'version'
  | 'description'
  | 'author'
  | 'license'
  | 'homepage'
  | 'entry_point'
  | 'dependencies'
  | 'permissions'
  | 'min_runtime_version'
  | 'max_runtime_version'
  | 'tags'
>;

/**
 * The JSON Schema (draft 2020-12) of a zod schema, as plugin.json holds it: the input side (a
 * field with a default is optional), without a `$schema` key.
 *
 * @throws PluginError INVALID_ARGUMENT when the schema cannot be expressed as JSON Schema
 */
export function createJsonSchema(schema: z.ZodType): JsonSchemaObject {
  try {
    const { $schema: _dialect, ...jsonSchema } = z.toJSONSchema(schema, {
      io: 'input',
      target: 'draft-2020-12',
      unrepresentable: 'any',
    }) as JsonSchemaObject;
    return jsonSchema;
  } catch (error) {
    throw new PluginError(
      'INVALID_ARGUMENT',
      `a zod schema cannot be expressed as JSON Schema: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The manifest's `capabilities` array, generated from a definition's zod schemas.
 *
 * @example
 * manifest.capabilities = createCapabilities(createPlugin);
 */
export function createCapabilities(definition: PluginDefinitionInfo): PluginCapability[] {
  return Object.values(definition.capabilities).map((capability) => ({
    name: capability.name,
    description: capability.description,
    version: capability.version,
    parameters: createJsonSchema(capability.params),
  }));
}

/** The manifest's `config_schema`, generated from the definition's config schema (if any). */
export function createConfigSchema(definition: PluginDefinitionInfo): JsonSchemaObject | undefined {
  return definition.configSchema === undefined ? undefined : createJsonSchema(definition.configSchema);
}

/**
 * A complete plugin.json for a definition: the base fields you give (id, name, version, entry
 * point, permissions, ...) plus `plugin_type`, `capabilities` and `config_schema` from the
 * definition. The result is checked with the manifest schema.
 *
 * @throws PluginError MANIFEST_INVALID when the result is not a valid manifest
 * @example
 * const manifest = createManifest(createPlugin, { plugin_id: 'com.example.hello', name: 'Hello', version: '1.0.0',
 *   description: 'Greets', author: 'Example', entry_point: 'main' });
 */
export function createManifest(definition: PluginDefinitionInfo, base: ManifestBase): PluginMetadataInput {
  const configSchema = createConfigSchema(definition);
  const fields: Record<string, unknown> = {
    ...base,
    plugin_type: definition.pluginType,
    capabilities: createCapabilities(definition),
    ...(configSchema === undefined ? {} : { config_schema: configSchema }),
  };
  // The seed's key order, so a generated plugin.json reads like a hand-written one.
  const ordered: Record<string, unknown> = {};
  for (const key of [...MANIFEST_KEYS, ...Object.keys(fields)]) {
    if (fields[key] !== undefined && !(key in ordered)) ordered[key] = fields[key];
  }
  const manifest = ordered as PluginMetadataInput;
  const result = safeParseManifest(manifest);
  if (!result.success) {
    throw new PluginError(
      'MANIFEST_INVALID',
      `generated plugin.json is invalid: ${formatIssues(result.issues)}`,
      {
        details: { issues: result.issues },
      },
    );
  }
  return manifest;
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${stableStringify(entry)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function driftIssue(code: string, path: string, message: string): ManifestIssue {
  return { code, path, message, severity: 'error' };
}

/**
 * Compares a plugin.json with a definition and lists every place they disagree: plugin_type,
 * capabilities missing or extra, and differing description, version, parameters or config_schema.
 * An empty list means the manifest matches the code.
 */
export function checkManifest(
  definition: PluginDefinitionInfo,
  manifest: PluginMetadataInput,
): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  if (manifest.plugin_type !== definition.pluginType) {
    issues.push(
      driftIssue(
        'PLUGIN_TYPE_MISMATCH',
        '$.plugin_type',
        `plugin.json says "${manifest.plugin_type}" but the code defines a ${definition.pluginType} plugin`,
      ),
    );
  }
  const declared = manifest.capabilities ?? [];
  const generated = createCapabilities(definition);
  for (const capability of generated) {
    const index = declared.findIndex((entry) => entry.name === capability.name);
    const entry = declared[index];
    if (entry === undefined) {
      issues.push(
        driftIssue(
          'CAPABILITY_UNDECLARED',
          '$.capabilities',
          `capability "${capability.name}" is defined in code but missing from plugin.json`,
        ),
      );
      continue;
    }
    const expected: Record<string, unknown> = {
      description: capability.description,
      version: capability.version,
      parameters: capability.parameters,
    };
    const actual: Record<string, unknown> = {
      description: entry.description ?? '',
      version: entry.version ?? '1.0.0',
      parameters: entry.parameters ?? { type: 'object', properties: {} },
    };
    for (const field of ['description', 'version', 'parameters']) {
      if (stableStringify(expected[field]) !== stableStringify(actual[field])) {
        issues.push(
          driftIssue(
            'CAPABILITY_MISMATCH',
            `$.capabilities[${index}].${field}`,
            `capability "${capability.name}": ${field} in plugin.json differs from the code`,
          ),
        );
      }
    }
  }
  declared.forEach((entry, index) => {
    if (!generated.some((capability) => capability.name === entry.name)) {
      issues.push(
        driftIssue(
          'CAPABILITY_NOT_IMPLEMENTED',
          `$.capabilities[${index}]`,
          `plugin.json declares "${entry.name}" but the code does not define it`,
        ),
      );
    }
  });
  const configSchema = createConfigSchema(definition);
  if (
    configSchema !== undefined &&
    stableStringify(configSchema) !== stableStringify(manifest.config_schema)
  ) {
    issues.push(
      driftIssue(
        'CONFIG_SCHEMA_MISMATCH',
        '$.config_schema',
        'config_schema in plugin.json differs from the code',
      ),
    );
  }
  return issues;
}
