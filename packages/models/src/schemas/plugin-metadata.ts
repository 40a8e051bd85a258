import { z } from 'zod';
import { type JsonSchemaObject, jsonSchemaObject } from './json-schema-object';
import {
  type PluginCapability,
  type PluginCapabilityInput,
  PluginCapabilitySchema,
} from './plugin-capability';
import {
  type PluginDependency,
  type PluginDependencyInput,
  PluginDependencySchema,
  pluginIdField,
} from './plugin-dependency';
import {
  type PluginPermissions,
  type PluginPermissionsInput,
  PluginPermissionsSchema,
} from './plugin-permissions';
import { type PluginType, PluginTypeSchema } from './plugin-type';
import {
  addCodedIssue,
  ENTRY_POINT_PATTERN,
  isStrictSemver,
  MAX_VERSION_LENGTH,
  SEMVER_PATTERN,
} from './rules';

/** A parsed plugin.json: the seed's manifest, snake_case as on the wire, with defaults filled. */
export interface PluginMetadata {
  $schema?: string;
  plugin_id: string;
  name: string;
  version: string;
  description: string;
  author: string;
  license?: string;
  homepage?: string;
  plugin_type: PluginType;
  entry_point: string;
  capabilities: PluginCapability[];
  dependencies: PluginDependency[];
  permissions: PluginPermissions;
  /** Lowest runtime version supported, or `*` for no bound. */
  min_runtime_version: string;
  /** Highest runtime version supported, or `*` for no bound. */
  max_runtime_version: string;
  tags: string[];
  config_schema?: JsonSchemaObject;
  [key: string]: unknown;
}

/** plugin.json as an author writes it: the required fields, everything else optional. */
export interface PluginMetadataInput {
  $schema?: string;
  plugin_id: string;
  name: string;
  version: string;
  description: string;
  author: string;
  license?: string;
  homepage?: string;
  plugin_type: PluginType;
  entry_point: string;
  capabilities?: PluginCapabilityInput[];
  dependencies?: PluginDependencyInput[];
  permissions?: PluginPermissionsInput;
  min_runtime_version?: string;
  max_runtime_version?: string;
  tags?: string[];
  config_schema?: JsonSchemaObject;
  [key: string]: unknown;
}

const strictVersion = z
  .string()
  .superRefine((version, context) => {
    if (version.length > MAX_VERSION_LENGTH) {
      addCodedIssue(
        context,
        'INVALID_VERSION',
        `a plugin version has at most ${MAX_VERSION_LENGTH} characters; this one has ${version.length}`,
      );
    } else if (!isStrictSemver(version)) {
      addCodedIssue(
        context,
        'INVALID_VERSION',
        `"${version}" is not a semantic version (MAJOR.MINOR.PATCH[-pre][+build])`,
      );
    }
  })
  .meta({
    pattern: SEMVER_PATTERN.source,
    maxLength: MAX_VERSION_LENGTH,
    description: 'Semantic version 2.0.0',
  });

const runtimeBound = z
  .string()
  .default('*')
  .superRefine((version, context) => {
    if (version !== '*' && !isStrictSemver(version)) {
      addCodedIssue(
        context,
        'INVALID_RUNTIME_VERSION',
        `"${version}" must be a semantic version or "*" (no bound)`,
      );
    }
  })
  .meta({ description: 'Runtime version bound, or "*" for none' });

const requiredText = (description: string) =>
  z
    .string()
    .superRefine((text, context) => {
      if (text.trim().length === 0) addCodedIssue(context, 'EMPTY_FIELD', 'must not be empty');
    })
    .meta({ description });

/** Schema of {@link PluginMetadata} (plugin.json). Cross-field rules run in `safeParseManifest`. */
export const PluginMetadataSchema: z.ZodType<PluginMetadata, PluginMetadataInput> = z.looseObject({
  $schema: z.string().optional(),
  plugin_id: pluginIdField(),
  name: requiredText('Human-readable name'),
  version: strictVersion,
  description: z.string().meta({ description: 'What the plugin does' }),
  author: requiredText('Author or organisation'),
  license: z.string().optional(),
  homepage: z.string().optional(),
  plugin_type: PluginTypeSchema,
  entry_point: z
    .string()
    .superRefine((entry, context) => {
      if (!ENTRY_POINT_PATTERN.test(entry)) {
        addCodedIssue(
          context,
          'INVALID_ENTRY_POINT',
          `"${entry}" must be a module path inside the plugin folder (e.g. "main" or "calculator.main"), without "..", a leading "/" or "."`,
        );
      }
    })
    .meta({ description: 'Entry module: "main" resolves to main.js, main.mjs, main.cjs or main/index.js' }),
  capabilities: z.array(PluginCapabilitySchema).default([]),
  dependencies: z.array(PluginDependencySchema).default([]),
  permissions: PluginPermissionsSchema.default({
    filesystem_read: [],
    filesystem_write: [],
    network_hosts: [],
    external_apis: [],
    environment_variables: [],
  }),
  min_runtime_version: runtimeBound,
  max_runtime_version: runtimeBound,
  tags: z.array(z.string()).default([]),
  config_schema: jsonSchemaObject('JSON Schema of the plugin configuration').optional(),
});

/** The top-level keys plugin.json is known to have; any other key is reported as a warning. */
export const MANIFEST_KEYS: readonly string[] = [
  '$schema',
  'plugin_id',
  'name',
  'version',
  'description',
  'author',
  'license',
  'homepage',
  'plugin_type',
  'entry_point',
  'capabilities',
  'dependencies',
  'permissions',
  'min_runtime_version',
  'max_runtime_version',
  'tags',
  'config_schema',
];
