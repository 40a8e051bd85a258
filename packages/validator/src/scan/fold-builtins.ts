import { posix } from 'node:path';
import {
  type AbstractValue,
  knownPrefixOf,
  literalValue,
  stringOf,
  TEXT_VALUE,
  textValue,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { isPowerful } from './escape-rules';
import { spendFoldBudget } from './fold-budget';

/** The longest string folding builds; a longer one is a string of unknown content. */
export const MAX_FOLDED_STRING_LENGTH = 100_000;
/** The most elements a folded array holds; a longer one is unknown. */
export const MAX_FOLDED_ARRAY_LENGTH = 10_000;
/** How deep `JSON.parse` folding goes into nested arrays and objects. */
const MAX_JSON_DEPTH = 16;

/** String methods the scan folds when the receiver and arguments are known. */
export const FOLDABLE_STRING_METHODS: ReadonlySet<string> = new Set([
  'split',
  'concat',
  'slice',
  'substring',
  'substr',
  'toLowerCase',
  'toUpperCase',
  'trim',
  'trimStart',
  'trimEnd',
  'replace',
  'replaceAll',
  'repeat',
  'charAt',
  'at',
  'toString',
  'valueOf',
  'padStart',
  'padEnd',
  'normalize',
]);

/** Array methods the scan folds (`push` and `unshift` change the folded array, as they do the real one). */
export const FOLDABLE_ARRAY_METHODS: ReadonlySet<string> = new Set([
  'join',
  'reverse',
  'concat',
  'slice',
  'toReversed',
  'at',
  'flat',
  'push',
  'unshift',
  // The methods that change the array in place: the folded array changes as the real one does.
  'pop',
  'shift',
  'splice',
  'sort',
  'fill',
  'copyWithin',
]);

/**
 * A folded string, within the length cap and the scan's fold budget; past either it is a string
 * of unknown content (so a module name built that way is unknown, which the rules report).
 */
export function foldedText(text: string): AbstractValue {
  if (text.length > MAX_FOLDED_STRING_LENGTH || !spendFoldBudget(text.length + 1)) return TEXT_VALUE;
  return literalValue(text);
}

/** A folded array, within the length cap and the fold budget; past either it is unknown. */
export function foldedArray(elements: AbstractValue[]): AbstractValue {
  if (elements.length > MAX_FOLDED_ARRAY_LENGTH || !spendFoldBudget(elements.length + 1)) return UNKNOWN;
  return { kind: 'array', elements };
}

/** The number a value folds to. */
function numberOf(value: AbstractValue | undefined): number | undefined {
  return value?.kind === 'literal' && typeof value.value === 'number' ? value.value : undefined;
}

function stringArgument(value: AbstractValue | undefined): string | undefined {
  return value === undefined ? undefined : stringOf(value);
}

/** The elements of an array value as strings, or undefined when one is not known. */
function stringElements(elements: readonly AbstractValue[]): string[] | undefined {
  const texts: string[] = [];
  for (const element of elements) {
    if (element.kind === 'literal' && (element.value === undefined || element.value === null)) {
      texts.push('');
      continue;
    }
    const text = stringOf(element);
    if (text === undefined) return undefined;
    texts.push(text);
  }
  return texts;
}

/** How often `pattern` occurs in `text` (as `split` counts it), stopping once past `limit`. */
function countOccurrences(text: string, pattern: string, limit: number): number {
  if (pattern === '') return text.length + 1;
  let count = 0;
  for (
    let index = text.indexOf(pattern);
    index >= 0 && count <= limit;
    index = text.indexOf(pattern, index + pattern.length)
  ) {
    count += 1;
  }
  return count;
}

function foldReplace(receiver: string, name: string, pattern: string, replacement: string): AbstractValue {
  const occurrences =
    name === 'replace'
      ? receiver.includes(pattern)
        ? 1
        : 0
      : countOccurrences(receiver, pattern, MAX_FOLDED_STRING_LENGTH);
  // The result's length is bounded before it is built: a chain of replaceAll('', ...) grows
  // fast, and each `$&`, `` $` `` or `$'` of the replacement inserts up to the whole receiver.
  const perMatch = replacement.includes('$')
    ? replacement.length * (receiver.length + 1)
    : replacement.length;
  const length = receiver.length + occurrences * perMatch;
  if (length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
  // The replacement's `$` patterns are applied as the engine applies them (`'$&'` is the match).
  return foldedText(
    name === 'replace' ? receiver.replace(pattern, replacement) : receiver.replaceAll(pattern, replacement),
  );
}

function foldStringMethod(receiver: string, name: string, args: AbstractValue[]): AbstractValue {
  const first = stringArgument(args[0]);
  const second = stringArgument(args[1]);
  switch (name) {
    case 'split': {
      if (args.length === 0) return foldedArray([literalValue(receiver)]);
      if (
        first === undefined ||
        countOccurrences(receiver, first, MAX_FOLDED_ARRAY_LENGTH) >= MAX_FOLDED_ARRAY_LENGTH
      )
        return UNKNOWN;
      const limit = args.length > 1 ? numberOf(args[1]) : undefined;
      if (args.length > 1 && args[1]!.kind !== 'literal') return UNKNOWN;
      return foldedArray(receiver.split(first, limit).map((part) => literalValue(part)));
    }
    case 'concat': {
      let length = receiver.length;
      const parts: string[] = [receiver];
      for (const argument of args) {
        const part = stringOf(argument);
        if (part === undefined) return textValue(receiver, '');
        length += part.length;
        if (length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
        parts.push(part);
      }
      return foldedText(parts.join(''));
    }
    case 'slice':
    case 'substring':
    case 'substr': {
      const start = numberOf(args[0]) ?? (args.length === 0 ? 0 : undefined);
      const end = args.length > 1 ? numberOf(args[1]) : receiver.length;
      if (start === undefined || end === undefined) return TEXT_VALUE;
      if (name === 'slice') return foldedText(receiver.slice(start, end));
      if (name === 'substring') return foldedText(receiver.substring(start, end));
      return foldedText(receiver.substr(start, args.length > 1 ? end : undefined));
    }
    case 'toLowerCase':
      return foldedText(receiver.toLowerCase());
    case 'toUpperCase':
      return foldedText(receiver.toUpperCase());
    case 'trim':
      return foldedText(receiver.trim());
    case 'trimStart':
      return foldedText(receiver.trimStart());
    case 'trimEnd':
      return foldedText(receiver.trimEnd());
    case 'replace':
    case 'replaceAll':
      if (first === undefined || second === undefined) return TEXT_VALUE;
      return foldReplace(receiver, name, first, second);
    case 'repeat': {
      const count = numberOf(args[0]);
      if (count === undefined || count < 0 || !Number.isInteger(count)) return TEXT_VALUE;
      if (receiver.length * count > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      return foldedText(receiver.repeat(count));
    }
    case 'charAt':
    case 'at': {
      const index = numberOf(args[0]) ?? 0;
      const character = name === 'at' ? receiver.at(index) : receiver.charAt(index);
      return literalValue(character);
    }
    case 'toString':
    case 'valueOf':
      return literalValue(receiver);
    case 'normalize': {
      // NFKC turns full-width letters into ASCII (`'ｃｈｉｌｄ'` is `'child'`): fold what it gives.
      const form = args.length === 0 ? 'NFC' : first;
      if (form !== 'NFC' && form !== 'NFD' && form !== 'NFKC' && form !== 'NFKD') return TEXT_VALUE;
      return foldedText(receiver.normalize(form));
    }
    case 'padStart':
    case 'padEnd': {
      const length = numberOf(args[0]);
      if (length === undefined || length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      const filler = args.length > 1 ? second : ' ';
      if (filler === undefined) return TEXT_VALUE;
      return foldedText(
        name === 'padStart' ? receiver.padStart(length, filler) : receiver.padEnd(length, filler),
      );
    }
    default:
      return UNKNOWN;
  }
}

/**
 * `array.sort()`: in place, as the engine sorts (by the elements' strings) when every element is
 * a literal and no comparator is given; otherwise the order is not known.
 */
function sortElements(elements: AbstractValue[], args: readonly AbstractValue[]): void {
  const texts = args.length === 0 ? stringElements(elements) : undefined;
  if (
    texts === undefined ||
    elements.some((element) => element.kind !== 'literal' || element.value == null)
  ) {
    forgetElements(elements);
    return;
  }
  const order = elements.map((element, index) => ({ element, text: texts[index]! }));
  order.sort((left, right) => (left.text < right.text ? -1 : left.text > right.text ? 1 : 0));
  for (let index = 0; index < order.length; index++) elements[index] = order[index]!.element;
}

/**
 * Marks the elements of an array changed in a way folding does not follow as unknown; a
 * dangerous one is kept (forgetting it would lose its uses).
 */
export function forgetElements(elements: AbstractValue[]): void {
  for (let index = 0; index < elements.length; index++) {
    const element = elements[index]!;
    if (element !== UNKNOWN && !isPowerful(element)) elements[index] = UNKNOWN;
  }
}

/**
 * An object or array handed to code the scan does not follow, or written under a key it cannot
 * read: any of its members may have changed, so what it folded to is forgotten (dangerous
 * members are kept, as in {@link forgetElements}).
 */
export function forgetMembers(value: AbstractValue): void {
  if (value.kind === 'array') forgetElements(value.elements);
  else if (value.kind === 'object') {
    for (const [key, member] of value.properties)
      if (member !== UNKNOWN && !isPowerful(member)) value.properties.set(key, UNKNOWN);
  }
}

function foldArrayMethod(
  receiver: AbstractValue,
  elements: AbstractValue[],
  name: string,
  args: AbstractValue[],
): AbstractValue {
  switch (name) {
    case 'join': {
      const texts = stringElements(elements);
      const separator = args.length === 0 ? ',' : stringArgument(args[0]);
      if (texts === undefined || separator === undefined) return TEXT_VALUE;
      let length = separator.length * Math.max(0, texts.length - 1);
      for (const text of texts) length += text.length;
      if (length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      return foldedText(texts.join(separator));
    }
    case 'toReversed':
      return foldedArray([...elements].reverse());
    case 'reverse':
      elements.reverse();
      return receiver;
    case 'pop':
      return elements.pop() ?? UNDEFINED_VALUE;
    case 'shift':
      return elements.shift() ?? UNDEFINED_VALUE;
    case 'sort':
      sortElements(elements, args);
      return receiver;
    case 'splice': {
      const start = numberOf(args[0]);
      const count = args.length > 1 ? numberOf(args[1]) : elements.length;
      if (
        start === undefined ||
        count === undefined ||
        elements.length + args.length > MAX_FOLDED_ARRAY_LENGTH
      ) {
        forgetElements(elements);
        return UNKNOWN;
      }
      return foldedArray(elements.splice(start, count, ...args.slice(2)));
    }
    case 'fill':
    case 'copyWithin':
      // Rarely used to build names: the elements are no longer known.
      forgetElements(elements);
      return receiver;
    case 'concat': {
      let length = elements.length;
      for (const argument of args) length += argument.kind === 'array' ? argument.elements.length : 1;
      if (length > MAX_FOLDED_ARRAY_LENGTH) return UNKNOWN;
      const joined = [...elements];
      for (const argument of args) {
        if (argument.kind === 'array') joined.push(...argument.elements);
        else joined.push(argument);
      }
      return foldedArray(joined);
    }
    case 'slice': {
      const start = numberOf(args[0]) ?? 0;
      const end = args.length > 1 ? numberOf(args[1]) : elements.length;
      return end === undefined ? UNKNOWN : foldedArray(elements.slice(start, end));
    }
    case 'at':
      return elements.at(numberOf(args[0]) ?? 0) ?? UNKNOWN;
    case 'flat': {
      let length = 0;
      for (const element of elements) length += element.kind === 'array' ? element.elements.length : 1;
      if (length > MAX_FOLDED_ARRAY_LENGTH) return UNKNOWN;
      return foldedArray(
        elements.flatMap((element) => (element.kind === 'array' ? element.elements : [element])),
      );
    }
    case 'push':
    case 'unshift':
      // The folded array changes as the real one does, within the cap (past it, it stops growing).
      if (elements.length + args.length > MAX_FOLDED_ARRAY_LENGTH || !spendFoldBudget(args.length))
        return UNKNOWN;
      if (name === 'push') elements.push(...args);
      else elements.unshift(...args);
      return literalValue(elements.length);
    default:
      return UNKNOWN;
  }
}

/** Folds a built-in method call on a folded receiver (`'lave'.split('')`, `[...].join('')`). */
export function foldMethodCall(receiver: AbstractValue, name: string, args: AbstractValue[]): AbstractValue {
  if (receiver.kind === 'array') return foldArrayMethod(receiver, receiver.elements, name, args);
  if (receiver.kind !== 'literal') return UNKNOWN;
  if (typeof receiver.value === 'number' && name === 'toString') {
    const radix = numberOf(args[0]) ?? 10;
    return radix >= 2 && radix <= 36 ? literalValue(receiver.value.toString(radix)) : UNKNOWN;
  }
  const text = stringOf(receiver);
  return text === undefined ? UNKNOWN : foldStringMethod(text, name, args);
}

function decodeBytes(text: string, encoding: string | undefined): string | undefined {
  if (encoding === undefined || encoding === 'utf8' || encoding === 'utf-8') return text;
  if (encoding === 'base64' || encoding === 'base64url' || encoding === 'hex' || encoding === 'latin1') {
    return Buffer.from(text, encoding).toString('utf8');
  }
  return undefined;
}

/** The characters of a string as an array value, for `[...'abc']` and `Array.from('abc')`. */
export function charactersOf(text: string): AbstractValue {
  if (text.length > MAX_FOLDED_ARRAY_LENGTH) return UNKNOWN;
  return foldedArray(Array.from(text, (character) => literalValue(character)));
}

/** A value parsed from JSON as an abstract value, bounded in depth and size. */
function fromJson(value: unknown, depth: number): AbstractValue {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return literalValue(value);
  }
  if (depth >= MAX_JSON_DEPTH) return UNKNOWN;
  if (Array.isArray(value)) return foldedArray(value.map((element) => fromJson(element, depth + 1)));
  const properties = new Map<string, AbstractValue>();
  for (const [key, member] of Object.entries(value as Record<string, unknown>)) {
    properties.set(key, fromJson(member, depth + 1));
  }
  return spendFoldBudget(properties.size + 1) ? { kind: 'object', properties } : UNKNOWN;
}

/** `JSON.parse` of a folded string (`'"child_process"'`, `'{"eval": true}'`), or unknown. */
export function foldJsonParse(argument: AbstractValue | undefined): AbstractValue {
  const text = argument === undefined ? undefined : stringOf(argument);
  if (text === undefined || text.length > MAX_FOLDED_STRING_LENGTH || !spendFoldBudget(text.length))
    return UNKNOWN;
  try {
    return fromJson(JSON.parse(text), 0);
  } catch {
    return UNKNOWN;
  }
}

/**
 * Folds a call of a global function that decodes or builds strings (`String.fromCharCode`,
 * `Buffer.from(..., 'base64')`, `atob`, `decodeURIComponent`, `new URL`), or returns undefined
 * when `path` is not one of them.
 */
export function foldGlobalCall(path: string, args: AbstractValue[]): AbstractValue | undefined {
  switch (path) {
    case 'String.fromCharCode':
    case 'String.fromCodePoint': {
      const codes: number[] = [];
      for (const argument of args) {
        const code = numberOf(argument);
        if (code === undefined || !Number.isInteger(code) || code < 0 || code > 0x10ffff) return TEXT_VALUE;
        codes.push(code);
      }
      if (codes.length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      return foldedText(
        path === 'String.fromCharCode' ? String.fromCharCode(...codes) : String.fromCodePoint(...codes),
      );
    }
    case 'Buffer.from': {
      const source = args[0];
      if (source?.kind === 'array') {
        const bytes: number[] = [];
        for (const element of source.elements) {
          const byte = numberOf(element);
          if (byte === undefined) return UNKNOWN;
          bytes.push(byte & 0xff);
        }
        return foldedText(Buffer.from(bytes).toString('utf8'));
      }
      const text = stringArgument(source);
      if (text === undefined || text.length > MAX_FOLDED_STRING_LENGTH) return UNKNOWN;
      const encoding = args.length > 1 ? stringArgument(args[1]) : 'utf8';
      const decoded = decodeBytes(text, encoding);
      return decoded === undefined ? UNKNOWN : foldedText(decoded);
    }
    case 'atob': {
      const text = stringArgument(args[0]);
      if (text === undefined || text.length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      return foldedText(Buffer.from(text, 'base64').toString('latin1'));
    }
    case 'btoa': {
      const text = stringArgument(args[0]);
      if (text === undefined || text.length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      return foldedText(Buffer.from(text, 'latin1').toString('base64'));
    }
    case 'decodeURIComponent':
    case 'decodeURI':
    case 'unescape':
    case 'encodeURIComponent':
    case 'encodeURI': {
      const text = stringArgument(args[0]);
      if (text === undefined || text.length > MAX_FOLDED_STRING_LENGTH) return TEXT_VALUE;
      try {
        if (path === 'unescape') return foldedText(unescape(text));
        if (path === 'encodeURIComponent') return foldedText(encodeURIComponent(text));
        if (path === 'encodeURI') return foldedText(encodeURI(text));
        return foldedText(decodeURIComponent(text));
      } catch {
        return TEXT_VALUE;
      }
    }
    case 'String': {
      if (args.length === 0) return literalValue('');
      const text = stringArgument(args[0]);
      return text === undefined ? UNKNOWN : foldedText(text);
    }
    case 'Array.from': {
      // A mapping function is called with each element: not folded, so what is passed escapes.
      const mapper = args[1];
      if (mapper !== undefined && !(mapper.kind === 'literal' && mapper.value === undefined))
        return undefined;
      const source = args[0];
      if (source?.kind === 'array') return foldedArray([...source.elements]);
      const text = stringArgument(source);
      return text === undefined ? undefined : charactersOf(text);
    }
    case 'Array.of':
      return foldedArray([...args]);
    case 'URL': {
      const first = args[0];
      const text = first === undefined ? undefined : stringArgument(first);
      if (text === undefined) {
        // `new URL('data:...' + code)`: a URL keeps the scheme its text starts with.
        const prefix = first === undefined ? undefined : knownPrefixOf(first);
        return prefix !== undefined && /^[a-z][a-z0-9+.-]*:/i.test(prefix)
          ? textValue(prefix, '')
          : TEXT_VALUE;
      }
      const base = args.length > 1 ? stringArgument(args[1]) : undefined;
      try {
        return foldedText(new URL(text, base).href);
      } catch {
        return args.length > 1 ? TEXT_VALUE : foldedText(text);
      }
    }
    default:
      return undefined;
  }
}

/** Folds `path.join`, `path.resolve` and `path.normalize` over known strings. */
export function foldPathCall(member: string, args: readonly AbstractValue[]): AbstractValue {
  const parts: string[] = [];
  let length = 0;
  for (const argument of args) {
    const text = stringOf(argument);
    if (text === undefined) return UNKNOWN;
    length += text.length + 1;
    parts.push(text);
  }
  if (length > MAX_FOLDED_STRING_LENGTH) return UNKNOWN;
  if (member === 'join') return foldedText(posix.join(...parts));
  if (member === 'normalize' && parts.length === 1) return foldedText(posix.normalize(parts[0]!));
  if (member === 'resolve') {
    const lastAbsolute = parts.findLastIndex((part) => part.startsWith('/') || part.startsWith('\u0000'));
    if (lastAbsolute < 0) return UNKNOWN;
    return foldedText(posix.join(...parts.slice(lastAbsolute)));
  }
  return UNKNOWN;
}
