/**
 * @typedef {{ kind: 'number', value: number, position: number }
 *   | { kind: 'name', value: string, position: number }
 *   | { kind: 'operator', value: string, position: number }
 *   | { kind: 'end', value: '', position: number }} Token
 */

const OPERATORS = new Set(['+', '-', '*', '/', '%', '^', '(', ')', ',']);
const NUMBER_PATTERN = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/;
const NAME_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/**
 * Splits an arithmetic expression into number, name and operator tokens, ending with an `end`
 * token. Throws a SyntaxError naming the position of the first character it does not know.
 * @param {string} expression
 * @returns {Token[]}
 */
export function tokenize(expression) {
  /** @type {Token[]} */
  const tokens = [];
  let position = 0;
  while (position < expression.length) {
    const rest = expression.slice(position);
    const character = rest[0];
    if (/\s/.test(character)) {
      position += 1;
      continue;
    }
    const number = NUMBER_PATTERN.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]), position });
      position += number[0].length;
      continue;
    }
    const name = NAME_PATTERN.exec(rest);
    if (name) {
      tokens.push({ kind: 'name', value: name[0].toLowerCase(), position });
      position += name[0].length;
      continue;
    }
    if (OPERATORS.has(character)) {
      tokens.push({ kind: 'operator', value: character, position });
      position += 1;
      continue;
    }
    throw new SyntaxError(`Unexpected character "${character}" at position ${position + 1}`);
  }
  tokens.push({ kind: 'end', value: '', position });
  return tokens;
}
