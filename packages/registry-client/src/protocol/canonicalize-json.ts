import { PluginError } from '@agentplug/models';

/**
 * Serialises a JSON value canonically (RFC 8785 style): object keys sorted by UTF-16 code units,
 * no whitespace, numbers and strings as `JSON.stringify` writes them. Signatures are computed over
 * the UTF-8 bytes of this text, so a signer and a verifier agree byte for byte.
 * @throws PluginError INVALID_ARGUMENT for values JSON cannot represent (undefined, functions, non-finite numbers)
 */
export function canonicalizeJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) {
        throw new PluginError('INVALID_ARGUMENT', `cannot canonicalise the number ${value}`);
      }
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((item) => canonicalizeJson(item)).join(',')}]`;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record)
        .filter((key) => record[key] !== undefined)
        .sort();
      return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalizeJson(record[key])}`).join(',')}}`;
    }
    default:
      throw new PluginError('INVALID_ARGUMENT', `cannot canonicalise a value of type ${typeof value}`);
  }
}
