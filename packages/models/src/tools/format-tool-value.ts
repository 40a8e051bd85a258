/** How deep {@link isJsonValue} looks before it gives up and calls a value not plain JSON. */
const maxJsonDepth = 64;

/**
 * Turns what a capability returned into text for a model: a string as it is, anything else as
 * JSON, with what JSON cannot hold written readably (bigints as decimals, quoted inside structures, a `Map` as an
 * object, a `Set` or a typed array as an array, `undefined` as `null`), or `String(value)` when it
 * cannot be serialized (a circular structure, a throwing `toJSON`).
 */
export function formatToolValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  try {
    const text: string | undefined = JSON.stringify(value ?? null, toReadableJson);
    return text ?? String(value);
  } catch {
    // Circular structures and throwing toJSON methods still give the model something to read.
    return String(value);
  }
}

function toReadableJson(_key: string, item: unknown): unknown {
  if (typeof item === 'bigint') return item.toString();
  if (item instanceof Map) return Object.fromEntries([...item].map(([key, entry]) => [String(key), entry]));
  if (item instanceof Set) return [...item];
  if (ArrayBuffer.isView(item) && !(item instanceof DataView))
    return Array.from(item as unknown as ArrayLike<unknown>);
  return item;
}

/**
 * Whether a value is plain JSON data that survives a JSON round trip unchanged: `null`, booleans,
 * finite numbers, strings, and arrays and plain objects of them (at most 64 levels deep).
 */
export function isJsonValue(value: unknown): boolean {
  return isJsonAt(value, 0);
}

function isJsonAt(value: unknown, depth: number): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (depth >= maxJsonDepth) return false;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length; index += 1) {
          if (!isJsonAt(value[index], depth + 1)) return false;
        }
        return true;
      }
      const prototype: unknown = Object.getPrototypeOf(value);
      if (prototype !== Object.prototype && prototype !== null) return false;
      for (const key in value) {
        if (!isJsonAt((value as Record<string, unknown>)[key], depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}
