/**
 * Compiles glob-ish patterns into one matcher: `*` matches any run of characters (dots included),
 * `?` one character, everything else itself. An empty list matches nothing.
 */
export function createPatternMatcher(patterns: readonly string[]): (value: string) => boolean {
  if (patterns.length === 0) return () => false;
  const expressions = patterns.map(
    (pattern) =>
      new RegExp(
        `^${[...pattern]
          .map((character) =>
            character === '*'
              ? '.*'
              : character === '?'
                ? '.'
                : character.replace(/[\\^$.+()[\]{}|/-]/, '\\$&'),
          )
          .join('')}$`,
        's',
      ),
  );
  return (value) => expressions.some((expression) => expression.test(value));
}
