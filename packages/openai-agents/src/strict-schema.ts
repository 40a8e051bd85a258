/** The keywords a schema may use and still be offered in OpenAI's strict mode. */
const strictKeywords = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'description',
  'title',
  '$ref',
  '$defs',
  'definitions',
  'pattern',
  'format',
  'multipleOf',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
]);

/** How deep a schema may nest before it is left out of strict mode. */
const maxDepth = 32;

/**
 * Whether a capability's parameters schema can be offered in OpenAI's strict mode unchanged in
 * meaning: every object closed (`additionalProperties: false`, with `properties`), every
 * property of it listed in `required` or optional (the Agents SDK turns optional properties into
 * nullable ones and drops the nulls again), references local, and only keywords strict mode
 * accepts. Deliberately conservative: a schema that strict mode would refuse, or would change
 * (an open object closed, a `minLength` dropped), is offered non-strict instead, where the model
 * is asked rather than forced to follow it, and the loader checks every call either way.
 */
export function isStrictCompatibleSchema(schema: unknown): boolean {
  return isStrictAt(schema, 0, schema);
}

function isStrictAt(schema: unknown, depth: number, root: unknown): boolean {
  if (depth > maxDepth || typeof schema !== 'object' || schema === null || Array.isArray(schema))
    return false;
  const record = schema as Record<string, unknown>;
  for (const keyword of Object.keys(record)) {
    if (!strictKeywords.has(keyword) && !(schema === root && keyword === '$schema')) return false;
  }
  if (record.$ref !== undefined && !resolvesLocally(record.$ref, root)) return false;
  const types = Array.isArray(record.type) ? record.type : [record.type];
  if (types.includes('object') || record.properties !== undefined) {
    if (record.additionalProperties !== false) return false;
    if (typeof record.properties !== 'object' || record.properties === null) return false;
    for (const property of Object.values(record.properties)) {
      if (!isStrictAt(property, depth + 1, root)) return false;
    }
  } else if (record.additionalProperties !== undefined) {
    return false;
  }
  if (record.items !== undefined && !isStrictAt(record.items, depth + 1, root)) return false;
  if (record.anyOf !== undefined) {
    if (!Array.isArray(record.anyOf)) return false;
    for (const branch of record.anyOf) if (!isStrictAt(branch, depth + 1, root)) return false;
  }
  for (const key of ['$defs', 'definitions']) {
    const definitions = record[key];
    if (definitions === undefined) continue;
    if (typeof definitions !== 'object' || definitions === null) return false;
    for (const definition of Object.values(definitions)) {
      if (!isStrictAt(definition, depth + 1, root)) return false;
    }
  }
  return true;
}

/** Whether `$ref` names a definition of the root schema (`#/$defs/<name>` or `#/definitions/<name>`). */
function resolvesLocally(reference: unknown, root: unknown): boolean {
  if (typeof reference !== 'string') return false;
  const match = /^#\/(\$defs|definitions)\/([^/~]+)$/.exec(reference);
  if (!match) return false;
  const definitions = (root as Record<string, unknown>)[match[1]!];
  return typeof definitions === 'object' && definitions !== null && Object.hasOwn(definitions, match[2]!);
}
