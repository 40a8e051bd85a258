import {
  type AbstractValue,
  FUNCTION_CONSTRUCTOR_VALUE,
  FUNCTION_VALUE,
  GLOBAL_OBJECT_VALUE,
  literalValue,
  MODULE_OBJECT_VALUE,
  REQUIRE_VALUE,
  UNDEFINED_VALUE,
  UNKNOWN,
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
  'JSON',
  'Symbol',
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
  ['module.parent', MODULE_OBJECT_VALUE],
  ['require.main', MODULE_OBJECT_VALUE],
  ['process.mainModule', MODULE_OBJECT_VALUE],
  ['module.constructor', { kind: 'module', module: 'module', path: '' }],
  ['module.constructor.prototype', { kind: 'module', module: 'module', path: 'prototype' }],
  ['module.constructor._extensions', { kind: 'module', module: 'module', path: '_extensions' }],
  ['module.constructor._cache', { kind: 'module', module: 'module', path: '_cache' }],
  ['module.constructor._load', { kind: 'module', module: 'module', path: '_load' }],
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

/** The methods of Object.prototype, which the global object and every plain object inherit. */
export const OBJECT_PROTOTYPE_METHODS: readonly string[] = [
  'toString',
  'toLocaleString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
];

/** Functions on the global object the scan knows only as functions. */
const GLOBAL_FUNCTIONS: readonly string[] = [
  ...OBJECT_PROTOTYPE_METHODS,
  'parseInt',
  'parseFloat',
  'isNaN',
  'isFinite',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'queueMicrotask',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'structuredClone',
];

/**
 * The value of every tracked global but `__filename` (which names the file), built once for all
 * scans: building them per file cost as much allocation as a tenth of the walk.
 */
export const GLOBAL_VALUES: ReadonlyMap<string, AbstractValue> = createGlobalValues();

function createGlobalValues(): Map<string, AbstractValue> {
  const values = new Map<string, AbstractValue>();
  for (const name of KNOWN_GLOBALS) values.set(name, { kind: 'global', path: name });
  for (const name of GLOBAL_OBJECT_NAMES) values.set(name, GLOBAL_OBJECT_VALUE);
  values.set('module', MODULE_OBJECT_VALUE);
  values.set('require', REQUIRE_VALUE);
  values.set('undefined', UNDEFINED_VALUE);
  values.set('__dirname', literalValue(PLUGIN_FOLDER_MARKER));
  // The global object inherits Object.prototype: a free `constructor` is Object, and its methods
  // and the global functions are functions (`toString.constructor` is Function).
  values.set('constructor', { kind: 'global', path: 'Object' });
  for (const name of GLOBAL_FUNCTIONS) values.set(name, FUNCTION_VALUE);
  return values;
}

/** `arguments` of a CommonJS module's wrapper: exports, require, module, __filename, __dirname. */
export function commonJsArguments(file: string): AbstractValue {
  return {
    kind: 'array',
    elements: [
      UNKNOWN,
      REQUIRE_VALUE,
      MODULE_OBJECT_VALUE,
      literalValue(`${PLUGIN_FOLDER_MARKER}/${file}`),
      literalValue(PLUGIN_FOLDER_MARKER),
    ],
  };
}
