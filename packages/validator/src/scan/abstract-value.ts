/**
 * What the scan knows about the value of an expression. Only values that matter for capability
 * detection are tracked; everything else is `unknown`.
 */
export type AbstractValue =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'literal'; readonly value: string | number | boolean | null | undefined }
  | { readonly kind: 'array'; readonly elements: AbstractValue[] }
  | { readonly kind: 'object'; readonly properties: Map<string, AbstractValue> }
  | { readonly kind: 'function' }
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
  /** A string whose content folding could not resolve (`'a' + x`, a template with unknown parts). */
  | { readonly kind: 'text' };

/** The value the scan knows nothing about. */
export const UNKNOWN: AbstractValue = { kind: 'unknown' };
/** A string of unknown content. */
export const TEXT_VALUE: AbstractValue = { kind: 'text' };
/** A function whose identity the scan does not track. */
export const FUNCTION_VALUE: AbstractValue = { kind: 'function' };
/** `undefined`. */
export const UNDEFINED_VALUE: AbstractValue = { kind: 'literal', value: undefined };
/** `require` in any of its forms (module.require, createRequire(...), require.main.require). */
export const REQUIRE_VALUE: AbstractValue = { kind: 'global', path: 'require' };
/** The `Function` constructor. */
export const FUNCTION_CONSTRUCTOR_VALUE: AbstractValue = { kind: 'global', path: 'Function' };

/** A folded literal. */
export function literalValue(value: string | number | boolean | null | undefined): AbstractValue {
  return { kind: 'literal', value };
}

/** The string a value folds to, or undefined when it does not fold to a string or number. */
export function stringOf(value: AbstractValue): string | undefined {
  if (value === UNKNOWN || value.kind !== 'literal') return undefined;
  if (typeof value.value === 'string') return value.value;
  if (typeof value.value === 'number') return String(value.value);
  return undefined;
}

/** The property key a value folds to, or undefined when it is not statically known. */
export function propertyKeyOf(value: AbstractValue): string | undefined {
  if (value.kind !== 'literal') return undefined;
  if (value.value === undefined || value.value === null) return String(value.value);
  return String(value.value);
}
