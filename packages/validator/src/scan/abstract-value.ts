import type { FunctionRecord } from './function-record';

/**
 * What the scan knows about the value of an expression. Only values that matter for capability
 * detection are tracked; everything else is `unknown`.
 */
export type AbstractValue =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null | undefined }
  | { readonly kind: 'array'; readonly elements: AbstractValue[] }
  | { readonly kind: 'object'; readonly properties: Map<string, AbstractValue> }
  /**
   * A function. `record` is set for a function written in the file (its parameters can be bound
   * at call sites); `returns` says what a plain call gives back when that is the global object
   * (`Function('return this')`, a sloppy function returning `this`).
   */
  | {
      readonly kind: 'function';
      readonly record?: FunctionRecord;
      readonly returns?: 'global' | 'maybe-global';
    }
  /** A global, by canonical dotted path (`eval`, `process.env`, `require`, `Buffer.from`). */
  | { readonly kind: 'global'; readonly path: string }
  /** A module or one of its members; `path` is empty for the module itself. */
  | { readonly kind: 'module'; readonly module: string; readonly path: string }
  /** A built-in method read from a folded value (`'abc'.split`). */
  | { readonly kind: 'method'; readonly receiver: AbstractValue; readonly name: string }
  /** `fn.call`, `fn.apply` or `fn.bind` of a tracked value. */
  | { readonly kind: 'invoker'; readonly target: AbstractValue; readonly mode: 'call' | 'apply' | 'bind' }
  /** `x.constructor` of something that is not known to be a function. */
  | { readonly kind: 'constructor-of' }
  /** A member of a sensitive object whose name folding could not resolve. */
  | { readonly kind: 'unresolved-member'; readonly base: string }
  /**
   * `this` in a sloppy-mode function, which is the global object when the function is called
   * plainly: its dangerous members (`eval`, `process`, `Function`) are the globals'.
   */
  | { readonly kind: 'maybe-global' }
  /**
   * A string whose content folding could not resolve (`'a' + x`, a template with unknown parts),
   * with what is known of its start and end.
   */
  | {
      readonly kind: 'text';
      readonly prefix: string;
      readonly suffix: string;
      /** When the string is one of a few known ones chosen at run time (`x ? 'a' : 'b'`), those. */
      readonly options?: readonly string[];
    };

/** The function variant of {@link AbstractValue}. */
export type FunctionValue = Extract<AbstractValue, { kind: 'function' }>;
/** The string-of-unknown-content variant of {@link AbstractValue}. */
export type TextValue = Extract<AbstractValue, { kind: 'text' }>;

/** The value the scan knows nothing about. */
export const UNKNOWN: AbstractValue = { kind: 'unknown' };
/** A string of unknown content. */
export const TEXT_VALUE: AbstractValue = { kind: 'text', prefix: '', suffix: '' };
/** A function whose identity the scan does not track. */
export const FUNCTION_VALUE: AbstractValue = { kind: 'function' };
/** `undefined`. */
export const UNDEFINED_VALUE: AbstractValue = { kind: 'literal', value: undefined };
/** `require` in any of its forms (module.require, createRequire(...), require.main.require). */
export const REQUIRE_VALUE: AbstractValue = { kind: 'global', path: 'require' };
/** The `Function` constructor. */
export const FUNCTION_CONSTRUCTOR_VALUE: AbstractValue = { kind: 'global', path: 'Function' };
/** The global object (`globalThis`, `global`, `self`, `window`). */
export const GLOBAL_OBJECT_VALUE: AbstractValue = { kind: 'global', path: 'globalThis' };
/** A CommonJS module object (`module`, `require.main`, an entry of `require.cache`). */
export const MODULE_OBJECT_VALUE: AbstractValue = { kind: 'global', path: 'module' };
/** `this` of a sloppy-mode function. */
export const MAYBE_GLOBAL_VALUE: AbstractValue = { kind: 'maybe-global' };
/** `Function('return this')`: calling it gives the global object. */
export const GLOBAL_RETURNING_FUNCTION: AbstractValue = { kind: 'function', returns: 'global' };

/** A symbol made by `Symbol()` or `Symbol.for()`. */
export const SYMBOL_VALUE: AbstractValue = { kind: 'global', path: 'Symbol()' };
/** The property key every symbol folds to: no string key of a built-in looks like it. */
const SYMBOL_KEY = '@@symbol';

/** How much of a string's known start or end a text value keeps. */
const MAX_TEXT_AFFIX = 256;

/** A folded literal. */
export function literalValue(value: string | number | boolean | null | undefined): AbstractValue {
  return { kind: 'literal', value };
}

/**
 * Whether a known start of a string can change what the rules decide: a URL scheme (`data:`),
 * a path (`./`, `/proc/`), a package subpath. Other starts (`'Error: ' + x`) are dropped, so
 * most string building allocates nothing.
 */
function prefixMatters(prefix: string): boolean {
  const first = prefix.charCodeAt(0);
  // '.' or '/' (a path), a '/' within (a package subpath or URL), or a scheme the rules read.
  if (first === 46 || first === 47 || prefix.includes('/')) return true;
  return /^(?:data|blob|node|file):/i.test(prefix);
}

/** Whether a known end of a string can change what the rules decide: an extension, a path. */
function suffixMatters(suffix: string): boolean {
  return suffix.includes('.') || suffix.includes('/');
}

/** A string of unknown content that starts with `prefix` and ends with `suffix`. */
export function textValue(prefix: string, suffix: string): AbstractValue {
  const kept = prefix !== '' && prefixMatters(prefix) ? prefix : '';
  const keptEnd = suffix !== '' && suffixMatters(suffix) ? suffix : '';
  if (kept === '' && keptEnd === '') return TEXT_VALUE;
  return {
    kind: 'text',
    prefix: kept.length > MAX_TEXT_AFFIX ? kept.slice(0, MAX_TEXT_AFFIX) : kept,
    suffix: keptEnd.length > MAX_TEXT_AFFIX ? keptEnd.slice(-MAX_TEXT_AFFIX) : keptEnd,
  };
}

/** The string a value folds to, or undefined when it does not fold to a string or number. */
export function stringOf(value: AbstractValue): string | undefined {
  if (value === UNKNOWN || value.kind !== 'literal') return undefined;
  if (typeof value.value === 'string') return value.value;
  if (typeof value.value === 'number') return String(value.value);
  return undefined;
}

/** The known start of a string value: all of it for a literal, the prefix for a text. */
export function knownPrefixOf(value: AbstractValue): string | undefined {
  if (value === UNKNOWN) return undefined;
  if (value.kind === 'text') return value.prefix;
  return stringOf(value);
}

/** The known end of a string value: all of it for a literal, the suffix for a text. */
export function knownSuffixOf(value: AbstractValue): string | undefined {
  if (value === UNKNOWN) return undefined;
  if (value.kind === 'text') return value.suffix;
  return stringOf(value);
}

/** The property key a value folds to, or undefined when it is not statically known. */
export function propertyKeyOf(value: AbstractValue): string | undefined {
  // An array key is its elements joined with commas, as `String(array)` gives (`cp[['exec']]`).
  if (value.kind === 'array') return arrayKeyOf(value.elements);
  // A symbol names no member a string can (no global is `process` under a symbol): one key
  // stands for every symbol, so what a symbol key stores is what it reads back.
  if (value.kind === 'global' && (value === SYMBOL_VALUE || value.path.startsWith('Symbol.')))
    return SYMBOL_KEY;
  if (value.kind !== 'literal') return undefined;
  if (value.value === undefined || value.value === null) return String(value.value);
  return String(value.value);
}

/** The property key an array of literals converts to (`['a', 1]` is `'a,1'`), or undefined. */
function arrayKeyOf(elements: readonly AbstractValue[]): string | undefined {
  if (elements.length > MAX_ARRAY_KEY_ELEMENTS) return undefined;
  const parts: string[] = [];
  for (const element of elements) {
    if (element.kind === 'array') {
      const nested = arrayKeyOf(element.elements);
      if (nested === undefined) return undefined;
      parts.push(nested);
    } else if (element.kind === 'literal') {
      parts.push(element.value === null || element.value === undefined ? '' : String(element.value));
    } else {
      return undefined;
    }
  }
  return parts.join(',');
}

/** How many elements an array used as a key may have for the key to be folded (nested ones count apart). */
const MAX_ARRAY_KEY_ELEMENTS = 64;
