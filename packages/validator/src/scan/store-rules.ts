import type * as BabelTypes from '@babel/types';
import { type AbstractValue, UNKNOWN } from './abstract-value';
import type { ScanReporter } from './scan-reporter';

/** Globals whose members are the built-ins other code calls (replacing one changes that code). */
const BUILT_IN_OWNERS: ReadonlySet<string> = new Set([
  'Object',
  'Object.prototype',
  'Function',
  'Function.prototype',
  'Array',
  'Array.prototype',
  'String',
  'String.prototype',
  'Reflect',
  'JSON',
  'console',
  'Promise',
  'Promise.prototype',
]);

/** How a finding names the place a value is stored in: `globalThis.x`, `module.exports`, an object. */
export function describeTarget(object: AbstractValue, key: string | undefined): string {
  const member = key === undefined ? '[a key not statically known]' : `.${key}`;
  if (object !== UNKNOWN && object.kind === 'global') {
    return object.path === 'globalThis' ? `globalThis${member}` : `${object.path}${member}`;
  }
  if (object !== UNKNOWN && object.kind === 'object') return 'an object under a key not statically known';
  return key === undefined
    ? 'an object the scan does not track'
    : `the property ${key} of an object the scan does not track`;
}

/**
 * Stores the scan cannot allow whatever the value: a member of a built-in (`Object.keys = ...`,
 * `Function.prototype.call = ...`) changes every caller; a member of `require.extensions` or
 * `Module._extensions` makes Node run files of that extension as code.
 */
export function checkStoreInto(
  reporter: ScanReporter,
  object: AbstractValue,
  key: string | undefined,
  node: BabelTypes.Node,
): void {
  if (object === UNKNOWN) return;
  if (object.kind === 'global') {
    if (object.path === 'require.extensions') {
      reporter.report(
        'MODULE_COMPILE',
        node,
        `registers a loader for ${key === undefined ? 'a file extension' : `"${key}" files`} in require.extensions, which runs their content as code`,
      );
    } else if (
      BUILT_IN_OWNERS.has(object.path) ||
      (object.path === 'globalThis' && key !== undefined && BUILT_IN_OWNERS.has(key))
    ) {
      reporter.report(
        'BUILTIN_REPLACED',
        node,
        `replaces ${object.path === 'globalThis' ? key : `${object.path}.${key ?? '[unknown]'}`}, a built-in other code calls; the scan assumes built-ins are not replaced`,
      );
    }
  } else if (object.kind === 'module' && object.module === 'module' && object.path === '_extensions') {
    reporter.report(
      'MODULE_COMPILE',
      node,
      `registers a loader for ${key === undefined ? 'a file extension' : `"${key}" files`} in Module._extensions, which runs their content as code`,
    );
  }
}
