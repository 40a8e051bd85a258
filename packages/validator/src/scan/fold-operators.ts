import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  knownPrefixOf,
  knownSuffixOf,
  literalValue,
  stringOf,
  textValue,
  UNKNOWN,
} from './abstract-value';
import { foldedText, MAX_FOLDED_STRING_LENGTH } from './fold-builtins';

/** A folded literal value. */
export type LiteralValue = Extract<AbstractValue, { kind: 'literal' }>;

/** `true`, `false` and `null`: values are immutable, so these are shared. */
export const TRUE_VALUE: AbstractValue = literalValue(true);
export const FALSE_VALUE: AbstractValue = literalValue(false);
export const NULL_VALUE: AbstractValue = literalValue(null);
/** Shared values of the small integers that make up most numeric literals (indexes, flags, sizes). */
const SMALL_INTEGER_VALUES: readonly AbstractValue[] = Array.from({ length: 256 }, (_, index) =>
  literalValue(index),
);

/** The value of a numeric literal; values are immutable, so small integers share theirs. */
export function numberValue(value: number): AbstractValue {
  return value >= 0 && value < 256 && Number.isInteger(value)
    ? SMALL_INTEGER_VALUES[value]!
    : literalValue(value);
}

/**
 * Whether a value is a folded literal. Most values are UNKNOWN: comparing with it first spares
 * reading `kind`, a megamorphic load across the shapes of values.
 */
export function isLiteral(value: AbstractValue): value is LiteralValue {
  return value !== UNKNOWN && value.kind === 'literal';
}

/** A string too long to fold, with what is known of its start and end. */
function textOf(left: string, right: string): AbstractValue {
  return textValue(left, right);
}

/** Whether a value is a string (known or not). */
export function isText(value: AbstractValue): boolean {
  if (value === UNKNOWN) return false;
  return value.kind === 'text' || (value.kind === 'literal' && typeof value.value === 'string');
}

/** How many segments a dotted path has. */
export function depthOf(path: string): number {
  let depth = 1;
  for (let index = path.indexOf('.'); index >= 0; index = path.indexOf('.', index + 1)) depth += 1;
  return depth;
}

/** Folds a binary operator over two literals; UNKNOWN when the operator does not fold. */
export function foldBinary(
  operator: string,
  left: string | number | boolean | null | undefined,
  right: string | number | boolean | null | undefined,
): AbstractValue {
  switch (operator) {
    case '+': {
      if (typeof left === 'string' || typeof right === 'string') {
        const leftText = String(left);
        const rightText = String(right);
        if (leftText.length + rightText.length > MAX_FOLDED_STRING_LENGTH) return textOf(leftText, rightText);
        return foldedText(leftText + rightText);
      }
      if (typeof left === 'number' && typeof right === 'number') return literalValue(left + right);
      return UNKNOWN;
    }
    case '-':
    case '*':
    case '/':
    case '%':
    case '^':
    case '|':
    case '&':
      if (typeof left !== 'number' || typeof right !== 'number') return UNKNOWN;
      if (operator === '-') return literalValue(left - right);
      if (operator === '*') return literalValue(left * right);
      if (operator === '/') return literalValue(left / right);
      if (operator === '%') return literalValue(left % right);
      if (operator === '^') return literalValue(left ^ right);
      if (operator === '|') return literalValue(left | right);
      return literalValue(left & right);
    case '===':
    case '==':
      return literalValue(left === right);
    case '!==':
    case '!=':
      return literalValue(left !== right);
    default:
      return UNKNOWN;
  }
}

/** Whether a value is a string (known or not). */
function isStringValue(value: AbstractValue): boolean {
  if (value === UNKNOWN) return false;
  return value.kind === 'text' || (value.kind === 'literal' && typeof value.value === 'string');
}

/** `left + right`: folded when both are known, else a string with what is known of its ends. */
export function addValues(left: AbstractValue, right: AbstractValue): AbstractValue {
  if (isLiteral(left) && isLiteral(right)) return foldBinary('+', left.value, right.value);
  if (!isStringValue(left) && !isStringValue(right)) return UNKNOWN;
  const leftText = left.kind === 'literal' ? String(left.value) : undefined;
  const rightText = right.kind === 'literal' ? String(right.value) : undefined;
  const prefix =
    leftText !== undefined
      ? leftText + (knownPrefixOf(right) ?? '')
      : left.kind === 'text'
        ? left.prefix
        : '';
  const suffix =
    rightText !== undefined
      ? (knownSuffixOf(left) ?? '') + rightText
      : right.kind === 'text'
        ? right.suffix
        : '';
  return textValue(prefix, suffix);
}

/**
 * A template of `cooked` strings around `values`: its text when every part is known; otherwise a
 * string with its known start (up to the first unknown part) and end (after the last one).
 */
export function foldTemplate(
  cooked: readonly (string | undefined)[],
  values: readonly AbstractValue[],
): AbstractValue {
  let text: string | undefined = cooked[0];
  let prefix: string | undefined;
  let suffix = '';
  for (let index = 0; index < values.length; index++) {
    const value = values[index]!;
    const part = isLiteral(value) ? String(value.value) : undefined;
    const after = cooked[index + 1];
    if (part === undefined || after === undefined) {
      // The first unknown part ends the known start; each one restarts the known end.
      if (prefix === undefined)
        prefix = text === undefined ? '' : value.kind === 'text' ? text + value.prefix : text;
      text = undefined;
      suffix = (value.kind === 'text' ? value.suffix : '') + (after ?? '');
    } else if (text !== undefined) {
      text += part + after;
    } else {
      suffix += part + after;
    }
  }
  if (text !== undefined) return foldedText(text);
  return textValue(prefix ?? '', suffix);
}

/** `String.raw` of a template: the raw strings around the values, folded when every value is a string. */
export function foldRawTemplate(raw: readonly string[], values: readonly AbstractValue[]): AbstractValue {
  let text = raw[0] ?? '';
  for (let index = 0; index < values.length; index++) {
    const part = stringOf(values[index]!);
    if (part === undefined) return textValue(text, '');
    text += part + (raw[index + 1] ?? '');
  }
  return foldedText(text);
}

/** Whether a node type is a literal of a primitive: visiting one has no effect, only a value. */
export function isLiteralType(type: BabelTypes.Node['type']): boolean {
  return (
    type === 'StringLiteral' ||
    type === 'NumericLiteral' ||
    type === 'BooleanLiteral' ||
    type === 'NullLiteral'
  );
}
