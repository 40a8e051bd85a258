import { PluginError } from '@agentplug/models';

function isSorted(keys: readonly string[]): boolean {
  for (let index = 1; index < keys.length; index += 1) {
    if ((keys[index - 1] as string) > (keys[index] as string)) return false;
  }
  return true;
}

/**
 * Serialises a JSON value canonically (RFC 8785 style): object keys sorted by UTF-16 code units,
 * no whitespace, numbers and strings as `JSON.stringify` writes them. Signatures are computed over
 * the UTF-8 bytes of this text, so a signer and a verifier agree byte for byte. Every own member is
 * written, `__proto__` included: what a parser read is exactly what the bytes say.
 * @throws PluginError INVALID_ARGUMENT for values JSON cannot represent (undefined, functions, non-finite numbers, nesting too deep for the stack)
 */
export function canonicalizeJson(value: unknown): string {
  if (
    value === undefined ||
    typeof value === 'function' ||
    typeof value === 'symbol' ||
    typeof value === 'bigint'
  ) {
    throw new PluginError('INVALID_ARGUMENT', `cannot canonicalise a value of type ${typeof value}`);
  }
  // The native serialiser does the escaping; the replacer only puts keys in order (copying an object
  // only when its keys are not sorted already) and refuses what JSON cannot hold.
  try {
    return serialize(value);
  } catch (error) {
    if (error instanceof RangeError) {
      throw new PluginError('INVALID_ARGUMENT', 'cannot canonicalise a value nested this deep', {
        cause: error,
      });
    }
    throw error;
  }
}

function serialize(value: unknown): string {
  return JSON.stringify(value, function replacer(this: unknown, _key: string, item: unknown) {
    if (typeof item === 'number' && !Number.isFinite(item)) {
      throw new PluginError('INVALID_ARGUMENT', `cannot canonicalise the number ${item}`);
    }
    if (typeof item === 'bigint') throw new PluginError('INVALID_ARGUMENT', 'cannot canonicalise a bigint');
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const keys = Object.keys(item);
    if (isSorted(keys)) return item;
    // A copy without a prototype: assigning "__proto__" to it makes a member, never a prototype.
    const sorted = Object.create(null) as Record<string, unknown>;
    for (const key of keys.sort()) sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  });
}
