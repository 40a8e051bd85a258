import { z } from 'zod';
import { type JsonSchemaObject, jsonSchemaObject } from './json-schema-object';
import { addCodedIssue, CAPABILITY_NAME_PATTERN, isStrictSemver, RESERVED_CAPABILITY_NAMES } from './rules';

/** A capability a plugin offers: a method callable through `invoke`, with a JSON Schema for its params. */
export interface PluginCapability {
  name: string;
  description: string;
  version: string;
  parameters: JsonSchemaObject;
  [key: string]: unknown;
}

/** What a capability may look like in plugin.json (defaults filled by parsing). */
export interface PluginCapabilityInput {
  name: string;
  description?: string;
  version?: string;
  parameters?: JsonSchemaObject;
  [key: string]: unknown;
}

const capabilityName = z
  .string()
  .superRefine((name, context) => {
    if (!CAPABILITY_NAME_PATTERN.test(name)) {
      addCodedIssue(
        context,
        'INVALID_CAPABILITY_NAME',
        `"${name}" is not usable as a method name (letters, digits, _ and $; not starting with a digit)`,
      );
    } else if (RESERVED_CAPABILITY_NAMES.has(name)) {
      addCodedIssue(
        context,
        'RESERVED_CAPABILITY_NAME',
        `"${name}" is reserved (a lifecycle hook or a built-in object method); choose another name`,
      );
    }
  })
  .meta({ description: 'Method name on the plugin instance', pattern: CAPABILITY_NAME_PATTERN.source });

const parameters = jsonSchemaObject('JSON Schema of the params object passed to the capability').superRefine(
  (schema, context) => {
    if (schema.type !== undefined && schema.type !== 'object') {
      addCodedIssue(
        context,
        'PARAMETERS_NOT_OBJECT',
        'capability parameters must describe an object ("type": "object")',
      );
    }
  },
);

/** Schema of {@link PluginCapability}. */
export const PluginCapabilitySchema: z.ZodType<PluginCapability, PluginCapabilityInput> = z.looseObject({
  name: capabilityName,
  description: z
    .string()
    .default('')
    .meta({ description: 'What the capability does; shown to agents and users' }),
  version: z
    .string()
    .default('1.0.0')
    .superRefine((version, context) => {
      if (!isStrictSemver(version))
        addCodedIssue(context, 'INVALID_VERSION', `"${version}" is not a semantic version`);
    }),
  parameters: parameters.default({ type: 'object', properties: {} }),
});

/** The keys a capability entry is known to have. */
export const CAPABILITY_KEYS: readonly string[] = ['name', 'description', 'version', 'parameters'];
