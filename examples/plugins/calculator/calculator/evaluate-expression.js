import { CONSTANTS, FUNCTIONS } from './functions.js';
import { tokenize } from './tokenize.js';

/** Deepest nesting of parentheses, unary signs and powers accepted, so no input can exhaust the stack. */
const MAX_DEPTH = 200;

/**
 * Evaluates an arithmetic expression with a recursive-descent parser: no `eval`, no `Function`.
 *
 *   expression = term { ("+" | "-") term }
 *   term       = unary { ("*" | "/" | "%") unary }
 *   unary      = ("+" | "-") unary | power
 *   power      = primary [ "^" unary ]            (right-associative, binds tighter than a sign)
 *   primary    = number | constant | function "(" expression ")" | "(" expression ")"
 *
 * Throws a SyntaxError for malformed input and a RangeError for division by zero or a result
 * that is not a finite number.
 * @param {string} expression
 * @returns {number}
 */
export function evaluateExpression(expression) {
  const tokens = tokenize(expression);
  let index = 0;
  let depth = 0;

  const peek = () => tokens[index];
  const next = () => tokens[index++];
  const isOperator = (token, value) => token.kind === 'operator' && token.value === value;
  const describe = (token) =>
    token.kind === 'end' ? 'end of expression' : `"${token.value}" at position ${token.position + 1}`;
  const expect = (value) => {
    const token = next();
    if (!isOperator(token, value)) throw new SyntaxError(`Expected "${value}" but found ${describe(token)}`);
  };
  const descend = (parse) => {
    depth += 1;
    if (depth > MAX_DEPTH) throw new RangeError(`Expression nests deeper than ${MAX_DEPTH} levels`);
    const value = parse();
    depth -= 1;
    return value;
  };

  const parseExpression = () => {
    let value = parseTerm();
    while (isOperator(peek(), '+') || isOperator(peek(), '-')) {
      const operator = next().value;
      const right = parseTerm();
      value = operator === '+' ? value + right : value - right;
    }
    return value;
  };

  const parseTerm = () => {
    let value = parseUnary();
    while (isOperator(peek(), '*') || isOperator(peek(), '/') || isOperator(peek(), '%')) {
      const operator = next().value;
      const right = parseUnary();
      if (operator !== '*' && right === 0) throw new RangeError('Division by zero');
      if (operator === '*') value *= right;
      else if (operator === '/') value /= right;
      else value %= right;
    }
    return value;
  };

  const parseUnary = () =>
    descend(() => {
      if (isOperator(peek(), '-')) {
        next();
        return -parseUnary();
      }
      if (isOperator(peek(), '+')) {
        next();
        return parseUnary();
      }
      return parsePower();
    });

  const parsePower = () => {
    const base = parsePrimary();
    if (!isOperator(peek(), '^')) return base;
    next();
    return base ** parseUnary();
  };

  const parsePrimary = () => {
    const token = next();
    if (token.kind === 'number') return token.value;
    if (token.kind === 'name') {
      if (isOperator(peek(), '(')) {
        const operation = FUNCTIONS.get(token.value);
        if (!operation)
          throw new SyntaxError(`Unknown function "${token.value}" at position ${token.position + 1}`);
        next();
        const argument = descend(parseExpression);
        expect(')');
        return operation(argument);
      }
      const constant = CONSTANTS.get(token.value);
      if (constant === undefined) {
        throw new SyntaxError(`Unknown name "${token.value}" at position ${token.position + 1}`);
      }
      return constant;
    }
    if (isOperator(token, '(')) {
      const value = descend(parseExpression);
      expect(')');
      return value;
    }
    throw new SyntaxError(`Unexpected ${describe(token)}`);
  };

  const value = parseExpression();
  const rest = peek();
  if (rest.kind !== 'end') throw new SyntaxError(`Unexpected ${describe(rest)}`);
  if (!Number.isFinite(value)) throw new RangeError(`"${expression}" has no finite value`);
  return value;
}
