'use strict';
// Evaluates sums of products of numbers ("2 + 2 * 3"), nothing else.
function evaluate(expression) {
  return expression
    .split('+')
    .map((term) => term.split('*').reduce((product, factor) => product * Number(factor.trim()), 1))
    .reduce((sum, term) => sum + term, 0);
}
module.exports = { evaluate };
