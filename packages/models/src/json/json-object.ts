/**
 * Whether `value` is a JSON object: not null, not an array. The one test every package uses
 * before it reads keys from parsed, untrusted JSON.
 */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Sets an own property, also one named `__proto__` (untrusted JSON may have one), never the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `base` with `override` over it, as a new object: objects merge deeply, arrays and every other
 * value of `override` replace those of `base`. Own keys only; a `__proto__` key stays a key.
 *
 * @example mergeJsonObjects({ config: { a: 1, b: 2 } }, { config: { b: 3 } }) // { config: { a: 1, b: 3 } }
 */
export function mergeJsonObjects(
  base: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(base)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(override)) {
    const current = Object.hasOwn(merged, key) ? merged[key] : undefined;
    setOwn(
      merged,
      key,
      isJsonObject(current) && isJsonObject(value) ? mergeJsonObjects(current, value) : value,
    );
  }
  return merged;
}
