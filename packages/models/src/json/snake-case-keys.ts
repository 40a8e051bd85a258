/** `camelCase` → `camel_case`; keys already in snake_case (the wire formats') are left alone. */
function toSnakeCase(key: string): string {
  return /[a-z0-9][A-Z]/.test(key) ? key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase() : key;
}

/** Keys whose values are someone else's documents (JSON Schemas, a plugin's settings, error details): kept as written. */
const VERBATIM_KEYS: ReadonlySet<string> = new Set([
  'config_schema',
  'parameters',
  'returns',
  'config',
  'details',
]);

/**
 * A value with every object key in snake_case, the casing of plugin.json, config.json, the lock file
 * and the marketplace index, so every `--json` output reads alike. JSON Schemas and a plugin's own
 * settings inside (under `config_schema`, `parameters`, `returns`, `config`, `details`) keep their keys.
 */
export function toSnakeCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toSnakeCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return toSnakeCaseKeys(JSON.parse(JSON.stringify(value)));
  }
  const converted: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = toSnakeCase(key);
    Object.defineProperty(converted, name, {
      value: VERBATIM_KEYS.has(name) ? item : toSnakeCaseKeys(item),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return converted;
}
