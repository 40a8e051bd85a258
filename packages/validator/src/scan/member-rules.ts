import { constants as fileSystemConstants } from 'node:fs';
import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_CONSTRUCTOR_VALUE,
  FUNCTION_VALUE,
  literalValue,
  MODULE_OBJECT_VALUE,
  REQUIRE_VALUE,
  textValue,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { reportEscape } from './escape-rules';
import { FOLDABLE_ARRAY_METHODS, FOLDABLE_STRING_METHODS } from './fold-builtins';
import { depthOf } from './fold-operators';
import {
  GLOBAL_ALIASES,
  GLOBAL_VALUES,
  NON_FUNCTION_GLOBALS,
  OBJECT_PROTOTYPE_METHODS,
  SENSITIVE_GLOBALS,
} from './global-values';
import { moduleKindOf } from './module-table';
import type { ScanReporter } from './scan-reporter';
import { PLUGIN_FOLDER_MARKER } from './scan-result';

/** The deepest dotted path a global or module member keeps; deeper members are unknown. */
const MAX_GLOBAL_PATH_DEPTH = 5;

/** `x.constructor` of something not known to be a function; immutable, so shared. */
export const CONSTRUCTOR_OF_VALUE: AbstractValue = { kind: 'constructor-of' };

/** Members of `this` in a sloppy function that are dangerous when `this` is the global object. */
const GLOBAL_OBJECT_MEMBERS: ReadonlySet<string> = new Set([
  'eval',
  'Function',
  'process',
  'globalThis',
  'global',
  'self',
  'window',
  'setTimeout',
  'setInterval',
]);

/**
 * Methods every string, array or plain object inherits. The scan does not fold them, but knows
 * they are functions: `[].map.constructor` and `''.big.constructor` are `Function`.
 */
const INHERITED_METHODS: ReadonlySet<string> = new Set([
  ...OBJECT_PROTOTYPE_METHODS,
  'map',
  'forEach',
  'filter',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'some',
  'every',
  'reduce',
  'reduceRight',
  'indexOf',
  'lastIndexOf',
  'includes',
  'keys',
  'values',
  'entries',
  'fill',
  'sort',
  'splice',
  'shift',
  'pop',
  'flatMap',
  'toSorted',
  'toSpliced',
  'with',
  'charCodeAt',
  'codePointAt',
  'startsWith',
  'endsWith',
  'match',
  'matchAll',
  'search',
  'localeCompare',
  'big',
  'bold',
  'link',
  'anchor',
]);

/** A member the scan does not follow of a string, array or object: a function when it is an inherited method. */
function inheritedMember(key: string): AbstractValue {
  return INHERITED_METHODS.has(key) ? FUNCTION_VALUE : UNKNOWN;
}

/** Whether a key of a module collection names an entry (an index or a file path), not a method. */
function isEntryKey(key: string | undefined): boolean {
  return key === undefined || /^\d+$/.test(key) || key.includes('/') || key.includes('\\');
}

/** `require.extensions[key]`: the loader of one file extension, by what calling it does. */
function extensionLoader(key: string | undefined): AbstractValue {
  if (key === undefined) return { kind: 'global', path: 'require.extensions:any' };
  if (key === '.node') return { kind: 'global', path: 'require.extensions:native' };
  return key.startsWith('.') ? { kind: 'global', path: 'require.extensions:code' } : UNKNOWN;
}

/** The numbers of `fs.constants`, as on the machine that scans (the one that runs the plugin). */
const FILE_SYSTEM_CONSTANTS: Readonly<Record<string, number>> = fileSystemConstants;

/** The shortest key {@link introspectionRead} answers (`caller`): shorter ones skip the lookup. */
export const MIN_INTROSPECTION_KEY_LENGTH = 6;

/** `f.caller`, or a stack frame's `getFunction()`: a function of code the scan does not see. */
export const CALLER_VALUE: AbstractValue = { kind: 'global', path: 'Function.caller' };
/** A stack frame's `getFunction` method (calling it gives {@link CALLER_VALUE}). */
const FRAME_FUNCTION_VALUE: AbstractValue = { kind: 'global', path: 'CallSite.getFunction' };
/** A stack frame's `getThis` method (calling it gives the global object for a sloppy frame). */
const FRAME_THIS_VALUE: AbstractValue = { kind: 'global', path: 'CallSite.getThis' };
/** `f.arguments`: the live arguments of a function, reported where read. */
const LIVE_ARGUMENTS_VALUE: AbstractValue = { kind: 'global', path: 'Function.arguments' };

/**
 * `f.caller`, `f.arguments`, and a stack frame's `getFunction()` / `getThis()`: they hand out
 * functions the code did not write and their live state (the CommonJS module function's
 * arguments hold `require`; a sloppy frame's `this` is the global object). `.caller` and
 * `getFunction()` give a function value that is reported when it escapes; `.arguments` of a
 * function is reported where read; of other objects it is a plain member (a call expression's
 * `node.arguments`), as `.caller` is of data the scan built. Returns the member's value, or
 * undefined when `key` is no such read.
 */
export function introspectionRead(
  reporter: ScanReporter,
  object: AbstractValue,
  key: string,
  node: BabelTypes.Node,
): AbstractValue | undefined {
  switch (key) {
    case 'caller':
      return isPlainData(object) ? undefined : CALLER_VALUE;
    case 'getFunction':
      return isPlainData(object) ? undefined : FRAME_FUNCTION_VALUE;
    case 'getThis':
      return isPlainData(object) ? undefined : FRAME_THIS_VALUE;
    case 'arguments':
      if (!isFunctionValue(object)) return undefined;
      reportEscape(
        reporter,
        LIVE_ARGUMENTS_VALUE,
        node,
        'is read, which hands out what another call was given',
      );
      return UNKNOWN;
    default:
      return undefined;
  }
}

/** Whether a value is a literal, a string or an object or array the scan built: its members are its own. */
function isPlainData(value: AbstractValue): boolean {
  if (value === UNKNOWN) return false;
  const { kind } = value;
  return kind === 'object' || kind === 'array' || kind === 'literal' || kind === 'text';
}

/** Whether a value is known to be a function (of the file, a built-in method, a caller). */
function isFunctionValue(value: AbstractValue): boolean {
  if (value === UNKNOWN) return false;
  if (value.kind === 'global') return value.path === 'Function.caller';
  return value.kind === 'function' || value.kind === 'method' || value.kind === 'invoker';
}

/** What the scan knows about `object[key]`; records env reads and unknown members of sensitive objects. */
export function getMember(
  reporter: ScanReporter,
  object: AbstractValue,
  key: string | undefined,
  node: BabelTypes.Node,
): AbstractValue {
  // Any object's constructor's constructor is Function: `this.constructor.constructor(code)`.
  // UNKNOWN, the commonest object, is answered before reading `kind`.
  if (object === UNKNOWN) {
    if (key === 'constructor') return CONSTRUCTOR_OF_VALUE;
    return (key !== undefined && introspectionRead(reporter, object, key, node)) || UNKNOWN;
  }
  if (key !== undefined && key.length >= MIN_INTROSPECTION_KEY_LENGTH) {
    const introspected = introspectionRead(reporter, object, key, node);
    if (introspected !== undefined) return introspected;
  }
  switch (object.kind) {
    case 'global':
      return getGlobalMember(reporter, object.path, key, node);
    case 'module': {
      if (object.module === 'module' && object.path === '_extensions') return extensionLoader(key);
      if (object.module === 'module' && object.path === '_cache')
        return isEntryKey(key) ? MODULE_OBJECT_VALUE : UNKNOWN;
      if (object.module === 'fs' && object.path === 'constants') {
        const constant = key === undefined ? undefined : FILE_SYSTEM_CONSTANTS[key];
        return typeof constant === 'number' ? literalValue(constant) : UNKNOWN;
      }
      if (key === undefined) {
        const kind = moduleKindOf(object.module);
        return kind === 'path' || kind === 'process'
          ? UNKNOWN
          : {
              kind: 'unresolved-member',
              base: object.path ? `${object.module}.${object.path}` : object.module,
            };
      }
      if (key === 'constructor') return object.path ? FUNCTION_CONSTRUCTOR_VALUE : CONSTRUCTOR_OF_VALUE;
      if (key === 'call' || key === 'apply' || key === 'bind')
        return { kind: 'invoker', target: object, mode: key };
      if (key === 'default' && object.path === '') return object;
      if (object.module === 'module' && object.path === '' && key === 'prototype') {
        return { kind: 'module', module: 'module', path: 'prototype' };
      }
      if (depthOf(object.path) >= MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
      return { kind: 'module', module: object.module, path: object.path ? `${object.path}.${key}` : key };
    }
    case 'maybe-global':
      if (key === 'constructor') return CONSTRUCTOR_OF_VALUE;
      return key !== undefined && GLOBAL_OBJECT_MEMBERS.has(key) ? globalAt(key) : UNKNOWN;
    case 'literal': {
      if (key === undefined) return UNKNOWN;
      if (key === 'constructor') return CONSTRUCTOR_OF_VALUE;
      if (typeof object.value === 'string') {
        if (key === 'length') return literalValue(object.value.length);
        if (FOLDABLE_STRING_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
        if (/^\d+$/.test(key)) return literalValue(object.value[Number(key)]);
      }
      if (typeof object.value === 'number' && key === 'toString')
        return { kind: 'method', receiver: object, name: key };
      return inheritedMember(key);
    }
    case 'array': {
      if (key === undefined) return UNKNOWN;
      if (key === 'constructor') return CONSTRUCTOR_OF_VALUE;
      if (key === 'length') return literalValue(object.elements.length);
      if (FOLDABLE_ARRAY_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
      if (/^\d+$/.test(key)) return object.elements[Number(key)] ?? UNDEFINED_VALUE;
      return inheritedMember(key);
    }
    case 'object': {
      if (key === undefined) return UNKNOWN;
      const property = object.properties.get(key);
      if (property !== undefined) return property;
      // `{ __proto__: parent }` inherits the members of parent.
      const parent = object.properties.get('__proto__');
      if (parent !== undefined && key !== '__proto__') return getMember(reporter, parent, key, node);
      return key === 'constructor' ? CONSTRUCTOR_OF_VALUE : inheritedMember(key);
    }
    case 'text':
      if (key === undefined) return UNKNOWN;
      return key === 'constructor' ? CONSTRUCTOR_OF_VALUE : inheritedMember(key);
    case 'function':
      if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
      // Function.prototype is a function: `(() => {}).__proto__.constructor` is Function.
      if (key === '__proto__') return FUNCTION_VALUE;
      if (key === 'call' || key === 'apply' || key === 'bind')
        return { kind: 'invoker', target: object, mode: key };
      return UNKNOWN;
    case 'constructor-of':
      return key === 'constructor' ? FUNCTION_CONSTRUCTOR_VALUE : UNKNOWN;
    case 'unresolved-member':
      // `process[k].HOME`, `globalThis[name].mainModule`: a member the scan could not name, used
      // as an object, may be any member of the sensitive object (process.env, the global process).
      reportEscape(reporter, object, node, 'is read from, under a name the scan could not resolve');
      return UNKNOWN;
    case 'method':
    case 'invoker':
      if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
      if (key === '__proto__') return FUNCTION_VALUE;
      if (key === 'call' || key === 'apply' || key === 'bind')
        return { kind: 'invoker', target: object, mode: key };
      return UNKNOWN;
    default:
      return UNKNOWN;
  }
}

/** A member of a global (`process.env.X`, `globalThis.eval`, `require.cache[file]`). */
function getGlobalMember(
  reporter: ScanReporter,
  path: string,
  key: string | undefined,
  node: BabelTypes.Node,
): AbstractValue {
  // Lengths first: comparing them is cheaper than hashing a path built by concatenation.
  const { length } = path;
  if (length === 11 && path === 'process.env') {
    reporter.report(
      'ENV_READ',
      node,
      key === undefined
        ? 'reads process.env with a key that is not statically known'
        : `reads process.env.${key}`,
      key ?? null,
    );
    return UNKNOWN;
  }
  if ((length === 13 && path === 'require.cache') || (length === 15 && path === 'module.children')) {
    if (isEntryKey(key)) return MODULE_OBJECT_VALUE;
  } else if (length === 18 && path === 'require.extensions') {
    return extensionLoader(key);
  }
  if (key === undefined) {
    return SENSITIVE_GLOBALS.has(path) ? { kind: 'unresolved-member', base: path } : UNKNOWN;
  }
  const memberPath = path === 'globalThis' ? key : `${path}.${key}`;
  const alias = GLOBAL_ALIASES.get(memberPath);
  if (alias !== undefined) return alias;
  if (key === 'constructor') {
    return NON_FUNCTION_GLOBALS.has(path) ? CONSTRUCTOR_OF_VALUE : FUNCTION_CONSTRUCTOR_VALUE;
  }
  if ((key === 'call' || key === 'apply' || key === 'bind') && !NON_FUNCTION_GLOBALS.has(path))
    return { kind: 'invoker', target: { kind: 'global', path }, mode: key };
  if (length === 11 && path === 'import.meta') {
    if (key === 'dirname') return literalValue(PLUGIN_FOLDER_MARKER);
    if (key === 'resolve') return { kind: 'global', path: 'import.meta.resolve' };
    // Bun's `import.meta.require` is require.
    if (key === 'require') return REQUIRE_VALUE;
    return key === 'url' ? IMPORT_META_URL : UNKNOWN;
  }
  return globalPathValue(memberPath);
}

/** `import.meta.url`: a file: URL whose rest is not known. */
const IMPORT_META_URL: AbstractValue = textValue('file://', '');

/** The value of the global at a dotted path (`process.env`, `Buffer.from`), aliases resolved. */
function globalAt(path: string): AbstractValue {
  const alias = GLOBAL_ALIASES.get(path);
  return alias !== undefined ? alias : globalPathValue(path);
}

/** The value of the global at a dotted path that is no alias. */
function globalPathValue(path: string): AbstractValue {
  const dot = path.indexOf('.');
  if (dot < 0) return GLOBAL_VALUES.get(path) ?? UNKNOWN;
  if (depthOf(path) > MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
  return { kind: 'global', path };
}
