import { Ajv, type ErrorObject } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidationIssue } from './validation-issue';

/** The file a plugin ships its default configuration in. */
const CONFIG_FILE_NAME = 'config.json';

/** How deep the search for `default` values goes into a config schema. */
const MAX_SCHEMA_DEPTH = 16;

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Draft 2020-12 unless the schema names draft-07 or older, as the manifest schema check does. */
function compilerFor(schema: JsonObject): Ajv | Ajv2020 {
  const dialect = typeof schema.$schema === 'string' ? schema.$schema : '';
  const options = { strict: false, allErrors: true, validateSchema: false } as const;
  return /draft-0[4-7]/.test(dialect) ? new Ajv(options) : new Ajv2020(options);
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '$'} ${error.message ?? 'is invalid'}`)
    .join('; ');
}

function validates(schema: JsonObject, value: unknown): string | undefined {
  try {
    const validate = compilerFor(schema).compile(schema);
    return validate(value) ? undefined : describeErrors(validate.errors);
  } catch {
    // A schema that does not compile is reported by the manifest check; nothing to add here.
    return undefined;
  }
}

interface DefaultValue {
  /** JSON path of the subschema in config_schema. */
  path: string;
  schema: JsonObject;
  value: unknown;
}

/** Every `default` in the schema's object properties, array items and combinators, with its subschema. */
function collectDefaults(schema: unknown, path: string, depth: number, found: DefaultValue[]): void {
  if (!isObject(schema) || depth > MAX_SCHEMA_DEPTH) return;
  if (Object.hasOwn(schema, 'default')) found.push({ path, schema, value: schema.default });
  if (isObject(schema.properties)) {
    for (const [name, property] of Object.entries(schema.properties)) {
      collectDefaults(property, `${path}.properties.${name}`, depth + 1, found);
    }
  }
  if (isObject(schema.items)) collectDefaults(schema.items, `${path}.items`, depth + 1, found);
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const branches = schema[keyword];
    if (Array.isArray(branches)) {
      for (const [index, branch] of branches.entries()) {
        collectDefaults(branch, `${path}.${keyword}[${index}]`, depth + 1, found);
      }
    }
  }
}

/**
 * Checks a plugin's configuration against its own `config_schema`: each `default` the schema
 * declares must satisfy the schema it sits in, and the `config` of the shipped config.json must
 * satisfy the whole schema, so a plugin cannot ship a configuration it would refuse at load.
 * @example
 * checkConfigValues({ configSchema: manifest.config_schema, configText: await readFile('config.json', 'utf8') })
 */
export function checkConfigValues(options: {
  configSchema: unknown;
  /** config.json's text, when the plugin ships one. */
  configText: string | undefined;
}): ValidationIssue[] {
  const { configSchema, configText } = options;
  if (!isObject(configSchema)) return [];
  const issues: ValidationIssue[] = [];
  const defaults: DefaultValue[] = [];
  collectDefaults(configSchema, '$.config_schema', 0, defaults);
  for (const { path, schema, value } of defaults) {
    // The subschema alone, with the root's definitions so its references still resolve.
    const { default: _default, ...rest } = schema;
    const standalone: JsonObject = { ...rest };
    for (const keyword of ['$defs', 'definitions', '$schema'] as const) {
      if (configSchema[keyword] !== undefined && standalone[keyword] === undefined) {
        standalone[keyword] = configSchema[keyword];
      }
    }
    const problem = validates(standalone, value);
    if (problem !== undefined) {
      issues.push({
        code: 'CONFIG_DEFAULT_INVALID',
        severity: 'error',
        path,
        message: `the default ${JSON.stringify(value)?.slice(0, 80)} breaks its own schema: ${problem}`,
      });
    }
  }
  if (configText === undefined) return issues;
  let document: unknown;
  try {
    document = JSON.parse(configText.replace(/^\uFEFF/, ''));
  } catch (error) {
    issues.push({
      code: 'CONFIG_INVALID',
      severity: 'error',
      file: CONFIG_FILE_NAME,
      message: `${CONFIG_FILE_NAME} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    });
    return issues;
  }
  if (!isObject(document)) {
    issues.push({
      code: 'CONFIG_INVALID',
      severity: 'error',
      file: CONFIG_FILE_NAME,
      message: `${CONFIG_FILE_NAME} must be a JSON object with a "config" object`,
    });
    return issues;
  }
  const values = document.config ?? {};
  const problem = validates(configSchema, values);
  if (problem !== undefined) {
    issues.push({
      code: 'CONFIG_INVALID',
      severity: 'error',
      file: CONFIG_FILE_NAME,
      path: '$.config',
      message: `the shipped configuration breaks config_schema: ${problem}`,
    });
  }
  return issues;
}
