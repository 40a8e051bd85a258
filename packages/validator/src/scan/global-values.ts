import {
  type AbstractValue,
  FUNCTION_CONSTRUCTOR_VALUE,
  literalValue,
  REQUIRE_VALUE,
  UNDEFINED_VALUE,
} from './abstract-value';
import { PLUGIN_FOLDER_MARKER } from './scan-result';

/** Globals the scan tracks; every other free name is unknown. */
export const KNOWN_GLOBALS: ReadonlySet<string> = new Set([
  'require',
  'module',
  'process',
  'globalThis',
  'eval',
  'Function',
  'fetch',
  'WebSocket',
  'EventSource',
  'XMLHttpRequest',
  'Reflect',
  'Buffer',
  'atob',
  'btoa',
  'String',
  'Array',
  'Object',
  'setTimeout',
  'setInterval',
  'decodeURIComponent',
  'decodeURI',
  'unescape',
  'URL',
  'navigator',
  'Bun',
  'Deno',
]);

/** Names of the global object itself. */
export const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set(['globalThis', 'global', 'window', 'self']);

/** Globals whose members, called by an unknown name, are a dynamic finding. */
export const SENSITIVE_GLOBALS: ReadonlySet<string> = new Set([
  'globalThis',
  'process',
  'Reflect',
  'require',
  'module',
]);

/** Global paths that are other spellings of a tracked value. */
export const GLOBAL_ALIASES: ReadonlyMap<string, AbstractValue> = new Map<string, AbstractValue>([
  ['module.require', REQUIRE_VALUE],
  ['module.parent.require', REQUIRE_VALUE],
  ['require.main.require', REQUIRE_VALUE],
  ['process.mainModule.require', REQUIRE_VALUE],
  ['module.constructor', { kind: 'module', module: 'module', path: '' }],
  ['require.main.constructor', { kind: 'module', module: 'module', path: '' }],
  ['process.mainModule.constructor', { kind: 'module', module: 'module', path: '' }],
  ['Function.prototype.constructor', FUNCTION_CONSTRUCTOR_VALUE],
]);

/** Globals that are not functions, so `.constructor` on them is not `Function`. */
export const NON_FUNCTION_GLOBALS: ReadonlySet<string> = new Set([
  'globalThis',
  'process',
  'process.env',
  'Reflect',
  'navigator',
  'module',
]);

/**
 * The value of every tracked global but `__filename` (which names the file), built once for all
 * scans: building them per file cost as much allocation as a tenth of the walk.
 */
export const GLOBAL_VALUES: ReadonlyMap<string, AbstractValue> = createGlobalValues();

function createGlobalValues(): Map<string, AbstractValue> {
  const values = new Map<string, AbstractValue>();
  const globalObject: AbstractValue = { kind: 'global', path: 'globalThis' };
  for (const name of KNOWN_GLOBALS) values.set(name, { kind: 'global', path: name });
  for (const name of GLOBAL_OBJECT_NAMES) values.set(name, globalObject);
  values.set('undefined', UNDEFINED_VALUE);
  values.set('__dirname', literalValue(PLUGIN_FOLDER_MARKER));
  return values;
}
