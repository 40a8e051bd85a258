import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { PluginError } from '../errors/plugin-error';
import { formatJsonPath } from '../manifest/issues';

/** One problem found by a JSON Schema check: `path` is a JSON path such as `$.config.precision`. */
export interface SchemaIssue {
  path: string;
  message: string;
}

/** A compiled JSON Schema check: returns the (possibly default-filled) value's issues. */
export interface CompiledSchema {
  /** Whether the schema declares any `default`, so that checking may fill values in. */
  readonly fillsDefaults: boolean;
  /** Checks `value` in place (defaults are written into it) and returns its issues. */
  check(value: unknown): SchemaIssue[];
}

let draft07: Ajv | undefined;
let draft2020: Ajv2020 | undefined;
const compiled = new Map<string, CompiledSchema>();

function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  if (declared.includes('draft-07')) {
    draft07 ??= new Ajv({ strict: false, allErrors: true, useDefaults: true });
    return draft07;
  }
  draft2020 ??= new Ajv2020({ strict: false, allErrors: true, useDefaults: true });
  return draft2020;
}

function pathOf(error: ErrorObject, prefix: readonly PropertyKey[]): string {
  const segments: PropertyKey[] = [...prefix];
  for (const raw of error.instancePath.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    segments.push(/^\d+$/.test(segment) ? Number(segment) : segment);
  }
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  if (error.keyword === 'required' && typeof missing === 'string') segments.push(missing);
  const extra = (error.params as { additionalProperty?: unknown }).additionalProperty;
  if (error.keyword === 'additionalProperties' && typeof extra === 'string') segments.push(extra);
  return formatJsonPath(segments);
}

function toIssues(validate: ValidateFunction, prefix: readonly PropertyKey[]): SchemaIssue[] {
  return (validate.errors ?? []).map((error) => ({
    path: pathOf(error, prefix),
    message: error.message ?? 'is invalid',
  }));
}

/**
 * Compiles a JSON Schema (draft 2020-12, or draft-07 when `$schema` says so) once and caches it
 * by content. Issue paths start at `pathPrefix` (`['config']` gives `$.config.precision`).
 *
 * @throws PluginError of `errorCode` when the schema itself cannot be compiled
 */
export function compileJsonSchema(
  schema: Record<string, unknown>,
  options: { pathPrefix?: readonly PropertyKey[]; errorCode: 'CONFIG_INVALID' | 'INVALID_PARAMS' },
): CompiledSchema {
  const prefix = options.pathPrefix ?? [];
  const text = JSON.stringify(schema);
  const key = `${JSON.stringify(prefix)}\u0000${text}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  let validate: ValidateFunction;
  try {
    validate = ajvFor(schema).compile(schema);
  } catch (error) {
    throw new PluginError(
      options.errorCode,
      `the JSON Schema cannot be compiled: ${(error as Error).message}`,
      {
        details: { schema },
        cause: error,
      },
    );
  }
  const result: CompiledSchema = {
    fillsDefaults: text.includes('"default"'),
    check(value: unknown): SchemaIssue[] {
      return validate(value) ? [] : toIssues(validate, prefix);
    },
  };
  compiled.set(key, result);
  return result;
}

/** One line per issue, `path: message`. */
export function formatSchemaIssues(issues: readonly SchemaIssue[]): string {
  return issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n');
}

/** Each issue as `path: message`, for {@link formatReasons}. */
export function listSchemaIssues(issues: readonly SchemaIssue[]): string[] {
  return issues.map((issue) => `${issue.path}: ${issue.message}`);
}
