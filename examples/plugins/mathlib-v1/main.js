/**
 * Greatest common divisor by Euclid's algorithm.
 * @param {number} left
 * @param {number} right
 */
function greatestCommonDivisor(left, right) {
  let first = Math.abs(left);
  let second = Math.abs(right);
  while (second !== 0) [first, second] = [second, first % second];
  return first;
}

/** com.example.mathlib 1.x: gcd of two numbers and a floating-point factorial. */
export class Plugin {
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
  }

  /** @param {{ a: number, b: number }} params */
  gcd(params) {
    return greatestCommonDivisor(params.a, params.b);
  }

  /** @param {{ n: number }} params */
  factorial(params) {
    let product = 1;
    for (let factor = 2; factor <= params.n; factor += 1) product *= factor;
    return product;
  }
}
