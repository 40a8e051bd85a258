import { isJsonObject } from '@agentplug/models';

/* Small checks shared by the hand-written shape checks of signed documents (v1 index, v2 metadata). */

/** Where a signed index body breaks the protocol. */
export class IndexShapeError extends Error {}

/** Throws the shape error saying what `path` must be. */
export function fail(path: string, expected: string): never {
  throw new IndexShapeError(`${path} must be ${expected}`);
}

/** Whether `value` is a JSON object (not null, not an array): models' one rule, by the name the checks use. */
export const isRecord: (value: unknown) => value is Record<string, unknown> = isJsonObject;

/** A map keyed by untrusted names: no prototype, so no name reaches Object.prototype. */
export function createMap<Value>(): Record<string, Value> {
  return Object.create(null) as Record<string, Value>;
}

/** An own member only: an inherited name such as `constructor` reads as undefined. */
export function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** `value` when it is a string. */
export function checkString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string');
  return value;
}

/** A copy of `value` when it is an array of strings; undefined reads as empty. */
export function checkStringArray(value: unknown, path: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
    fail(path, 'an array of strings');
  return [...(value as string[])];
}

/** `value` when it is a finite number in range (an integer when asked). */
export function checkNumber(
  value: unknown,
  path: string,
  options: { min: number; max?: number; integer?: boolean },
): number {
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < options.min ||
    (options.max !== undefined && value > options.max) ||
    (options.integer === true && !Number.isSafeInteger(value))
  ) {
    fail(
      path,
      `a${options.integer ? 'n integer' : ' number'} from ${options.min}${options.max === undefined ? '' : ` to ${options.max}`}`,
    );
  }
  return value;
}

/** 64 lowercase hex digits: a sha256. */
export const SHA256_PATTERN: RegExp = /^[0-9a-f]{64}$/;
