import type { z } from 'zod';

/** Reverse-DNS plugin id: two or more dot-separated labels of lowercase letters, digits and hyphens. */
export const PLUGIN_ID_PATTERN: RegExp =
  /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/;

/** Longest plugin id: ids become folder, file and URL names (255 bytes on most disks). */
export const MAX_PLUGIN_ID_LENGTH = 128;

/** Longest plugin version: versions become file and URL names beside the id. */
export const MAX_VERSION_LENGTH = 64;

/** Longest dependency version constraint (ranges joined by `||` stay far below). */
export const MAX_CONSTRAINT_LENGTH = 256;

/** Strict semantic version 2.0.0 (the regular expression published at semver.org). */
export const SEMVER_PATTERN: RegExp =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/** A name a capability can have: usable as a JavaScript method name. */
export const CAPABILITY_NAME_PATTERN: RegExp = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** An entry point: a module path relative to the plugin folder, dotted or slashed. */
export const ENTRY_POINT_PATTERN: RegExp = /^(?![./])(?!.*\.\.)[A-Za-z0-9_$\-./]+$/;

/**
 * Names a capability may not take: the lifecycle hooks, and names that would break the
 * instance proxy or the object model (`then` would make every instance a thenable).
 */
export const RESERVED_CAPABILITY_NAMES: ReadonlySet<string> = new Set([
  'initialize',
  'activate',
  'deactivate',
  'cleanup',
  'constructor',
  'then',
  'catch',
  'finally',
  'toString',
  'toJSON',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__proto__',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** Whether a string is a valid reverse-DNS plugin id of at most {@link MAX_PLUGIN_ID_LENGTH} characters. */
export function isValidPluginId(value: string): boolean {
  return value.length <= MAX_PLUGIN_ID_LENGTH && PLUGIN_ID_PATTERN.test(value);
}

/** Whether a string is a strict semantic version. */
export function isStrictSemver(value: string): boolean {
  return SEMVER_PATTERN.test(value);
}

/** Adds an issue with one of our codes to a zod refinement context. */
export function addCodedIssue(context: z.RefinementCtx, code: string, message: string): void {
  context.addIssue({ code: 'custom', message, params: { code } });
}

/** Whether a permission path escapes upwards with a `..` segment. */
export function hasParentSegment(path: string): boolean {
  return path.split(/[\\/]+/).includes('..');
}
