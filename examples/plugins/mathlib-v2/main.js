/**
 * Greatest common divisor of two integers by Euclid's algorithm.
 * @param {number} left
 * @param {number} right
 */
function greatestCommonDivisor(left, right) {
  let first = Math.abs(left);
  let second = Math.abs(right);
  while (second !== 0) [first, second] = [second, first % second];
  return first;
}

/**
 * com.example.mathlib 2.x: gcd and lcm of any count of integers, and exact factorials (BigInt,
 * returned as a decimal string so they cross a worker's message channel unchanged).
 */
export class Plugin {
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
  }

  /** @param {{ values: number[] }} params */
  gcd(params) {
    return params.values.reduce(greatestCommonDivisor);
  }

  /** @param {{ values: number[] }} params */
  lcm(params) {
    return params.values.reduce((left, right) =>
      left === 0 || right === 0 ? 0 : Math.abs(left * right) / greatestCommonDivisor(left, right),
    );
  }

  /** @param {{ n: number }} params */
  factorial(params) {
    let product = 1n;
    for (let factor = 2n; factor <= BigInt(params.n); factor += 1n) product *= factor;
    return product.toString();
  }
}
