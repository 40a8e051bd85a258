import { type AbstractValue, TEXT_VALUE, textValue, UNKNOWN } from './abstract-value';

// A value chosen at run time between strings (`c ? 'path' : 'child_process'`): the scan keeps
// every string it may be, so a module name is each of them, not only the last one folded.

/** How many strings a value chosen at run time keeps (`a ? 'x' : b ? 'y' : 'z'`). */
export const MAX_STRING_OPTIONS = 8;

/** The strings a value may be: its one string, or the options of a choice; undefined otherwise. */
export function stringOptions(value: AbstractValue): readonly string[] | undefined {
  if (value === UNKNOWN) return undefined;
  if (value.kind === 'literal') return typeof value.value === 'string' ? [value.value] : undefined;
  return value.kind === 'text' ? value.options : undefined;
}

/**
 * Two strings chosen at run time as one value: a string known by what they share, which keeps
 * the strings themselves (a module name is then each of them); undefined unless both are strings.
 */
export function eitherString(left: AbstractValue, right: AbstractValue): AbstractValue | undefined {
  const first = stringOptions(left);
  const second = stringOptions(right);
  if (first === undefined || second === undefined) return undefined;
  const options = [...new Set([...first, ...second])];
  if (options.length === 1) return left;
  if (options.length > MAX_STRING_OPTIONS) return TEXT_VALUE;
  let prefix = options[0]!;
  let suffix = options[0]!;
  for (const option of options) {
    while (!option.startsWith(prefix)) prefix = prefix.slice(0, -1);
    while (!option.endsWith(suffix)) suffix = suffix.slice(1);
  }
  const text = textValue(prefix, suffix);
  return {
    kind: 'text',
    prefix: text.kind === 'text' ? text.prefix : '',
    suffix: text.kind === 'text' ? text.suffix : '',
    options,
  };
}
