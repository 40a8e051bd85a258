import { posix } from 'node:path';
import { type AbstractValue, literalValue, stringOf, UNKNOWN } from './abstract-value';

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

/** Array methods the scan folds. */
export const FOLDABLE_ARRAY_METHODS: ReadonlySet<string> = new Set([
  'join',
  'reverse',
  'concat',
  'slice',
  'toReversed',
  'at',
  'flat',
]);

/** The number a value folds to. */
function numberOf(value: AbstractValue | undefined): number | undefined {
  return value?.kind === 'literal' && typeof value.value === 'number' ? value.value : undefined;
}

function stringArgument(value: AbstractValue | undefined): string | undefined {
  return value === undefined ? undefined : stringOf(value);
}

/** The elements of an array value as strings, or undefined when one is not known. */
function stringElements(value: AbstractValue): string[] | undefined {
  if (value.kind !== 'array') return undefined;
  const texts: string[] = [];
  for (const element of value.elements) {
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

function foldStringMethod(receiver: string, name: string, args: AbstractValue[]): AbstractValue {
  const first = stringArgument(args[0]);
  const second = stringArgument(args[1]);
  switch (name) {
    case 'split': {
      if (args.length === 0) return { kind: 'array', elements: [literalValue(receiver)] };
      if (first === undefined) return UNKNOWN;
      return { kind: 'array', elements: receiver.split(first).map((part) => literalValue(part)) };
    }
    case 'concat': {
      let text = receiver;
      for (const argument of args) {
        const part = stringOf(argument);
        if (part === undefined) return UNKNOWN;
        text += part;
      }
      return literalValue(text);
    }
    case 'slice':
    case 'substring':
    case 'substr': {
      const start = numberOf(args[0]) ?? (args.length === 0 ? 0 : undefined);
      const end = args.length > 1 ? numberOf(args[1]) : receiver.length;
      if (start === undefined || end === undefined) return UNKNOWN;
      if (name === 'slice') return literalValue(receiver.slice(start, end));
      if (name === 'substring') return literalValue(receiver.substring(start, end));
      return literalValue(receiver.substr(start, args.length > 1 ? end : undefined));
    }
    case 'toLowerCase':
      return literalValue(receiver.toLowerCase());
    case 'toUpperCase':
      return literalValue(receiver.toUpperCase());
    case 'trim':
      return literalValue(receiver.trim());
    case 'trimStart':
      return literalValue(receiver.trimStart());
    case 'trimEnd':
      return literalValue(receiver.trimEnd());
    case 'replace':
    case 'replaceAll': {
      if (first === undefined || second === undefined) return UNKNOWN;
      return literalValue(
        name === 'replace' ? receiver.replace(first, () => second) : receiver.split(first).join(second),
      );
    }
    case 'repeat': {
      const count = numberOf(args[0]);
      return count === undefined || count < 0 || count > 1000
        ? UNKNOWN
        : literalValue(receiver.repeat(count));
    }
    case 'charAt':
    case 'at': {
      const index = numberOf(args[0]) ?? 0;
      const character = name === 'at' ? receiver.at(index) : receiver.charAt(index);
      return literalValue(character);
    }
    case 'toString':
    case 'valueOf':
    case 'normalize':
      return literalValue(receiver);
    case 'padStart':
    case 'padEnd': {
      const length = numberOf(args[0]);
      if (length === undefined || length > 10_000) return UNKNOWN;
      const filler = args.length > 1 ? second : ' ';
      if (filler === undefined) return UNKNOWN;
      return literalValue(
        name === 'padStart' ? receiver.padStart(length, filler) : receiver.padEnd(length, filler),
      );
    }
    default:
      return UNKNOWN;
  }
}

function foldArrayMethod(elements: AbstractValue[], name: string, args: AbstractValue[]): AbstractValue {
  switch (name) {
    case 'join': {
      const texts = stringElements({ kind: 'array', elements });
      const separator = args.length === 0 ? ',' : stringArgument(args[0]);
      if (texts === undefined || separator === undefined) return UNKNOWN;
      return literalValue(texts.join(separator));
    }
    case 'reverse':
    case 'toReversed':
      return { kind: 'array', elements: [...elements].reverse() };
    case 'concat': {
      const joined = [...elements];
      for (const argument of args) {
        if (argument.kind === 'array') joined.push(...argument.elements);
        else joined.push(argument);
      }
      return { kind: 'array', elements: joined };
    }
    case 'slice': {
      const start = numberOf(args[0]) ?? 0;
      const end = args.length > 1 ? numberOf(args[1]) : elements.length;
      return end === undefined ? UNKNOWN : { kind: 'array', elements: elements.slice(start, end) };
    }
    case 'at':
      return elements.at(numberOf(args[0]) ?? 0) ?? UNKNOWN;
    case 'flat':
      return {
        kind: 'array',
        elements: elements.flatMap((element) => (element.kind === 'array' ? element.elements : [element])),
      };
    default:
      return UNKNOWN;
  }
}

/** Folds a built-in method call on a folded receiver (`'lave'.split('')`, `[...].join('')`). */
export function foldMethodCall(receiver: AbstractValue, name: string, args: AbstractValue[]): AbstractValue {
  if (receiver.kind === 'array') return foldArrayMethod(receiver.elements, name, args);
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
  return { kind: 'array', elements: Array.from(text, (character) => literalValue(character)) };
}

/**
 * Folds a call of a global function that decodes or builds strings (`String.fromCharCode`,
 * `Buffer.from(..., 'base64')`, `atob`, `decodeURIComponent`, `path.join`), or returns undefined
 * when `path` is not one of them.
 */
export function foldGlobalCall(path: string, args: AbstractValue[]): AbstractValue | undefined {
  switch (path) {
    case 'String.fromCharCode':
    case 'String.fromCodePoint': {
      const codes: number[] = [];
      for (const argument of args) {
        const code = numberOf(argument);
        if (code === undefined || !Number.isInteger(code) || code < 0 || code > 0x10ffff) return UNKNOWN;
        codes.push(code);
      }
      return literalValue(
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
        return literalValue(Buffer.from(bytes).toString('utf8'));
      }
      const text = stringArgument(source);
      if (text === undefined) return UNKNOWN;
      const encoding = args.length > 1 ? stringArgument(args[1]) : 'utf8';
      const decoded = decodeBytes(text, encoding);
      return decoded === undefined ? UNKNOWN : literalValue(decoded);
    }
    case 'atob': {
      const text = stringArgument(args[0]);
      return text === undefined ? UNKNOWN : literalValue(Buffer.from(text, 'base64').toString('latin1'));
    }
    case 'btoa': {
      const text = stringArgument(args[0]);
      return text === undefined ? UNKNOWN : literalValue(Buffer.from(text, 'latin1').toString('base64'));
    }
    case 'decodeURIComponent':
    case 'decodeURI':
    case 'unescape': {
      const text = stringArgument(args[0]);
      if (text === undefined) return UNKNOWN;
      try {
        return literalValue(path === 'unescape' ? unescape(text) : decodeURIComponent(text));
      } catch {
        return UNKNOWN;
      }
    }
    case 'String': {
      if (args.length === 0) return literalValue('');
      const text = stringArgument(args[0]);
      return text === undefined ? UNKNOWN : literalValue(text);
    }
    case 'Array.from': {
      const source = args[0];
      if (source?.kind === 'array') return source;
      const text = stringArgument(source);
      return text === undefined ? UNKNOWN : charactersOf(text);
    }
    case 'Array.of':
      return { kind: 'array', elements: [...args] };
    case 'URL': {
      const text = stringArgument(args[0]);
      if (text === undefined) return UNKNOWN;
      const base = args.length > 1 ? stringArgument(args[1]) : undefined;
      try {
        return literalValue(new URL(text, base).href);
      } catch {
        return args.length > 1 ? UNKNOWN : literalValue(text);
      }
    }
    default:
      return undefined;
  }
}

/** Folds `path.join`, `path.resolve` and `path.normalize` over known strings. */
export function foldPathCall(member: string, args: AbstractValue[]): AbstractValue {
  const parts: string[] = [];
  for (const argument of args) {
    const text = stringOf(argument);
    if (text === undefined) return UNKNOWN;
    parts.push(text);
  }
  if (member === 'join') return literalValue(posix.join(...parts));
  if (member === 'normalize' && parts.length === 1) return literalValue(posix.normalize(parts[0]!));
  if (member === 'resolve') {
    const lastAbsolute = parts.findLastIndex((part) => part.startsWith('/') || part.startsWith('\u0000'));
    if (lastAbsolute < 0) return UNKNOWN;
    return literalValue(posix.join(...parts.slice(lastAbsolute)));
  }
  return UNKNOWN;
}
