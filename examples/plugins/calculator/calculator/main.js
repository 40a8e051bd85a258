import { evaluateExpression } from './evaluate-expression.js';
import { FUNCTIONS } from './functions.js';

const SCIENTIFIC_FUNCTIONS = ['sin', 'cos', 'tan', 'log', 'sqrt', 'exp'];

/**
 * Rounds to a number of decimal places, the way the seed's calculator does.
 * @param {number} value
 * @param {number} places
 */
function roundTo(value, places) {
  const rounded = Number(value.toFixed(places));
  return Object.is(rounded, -0) ? 0 : rounded;
}

/**
 * The seed's calculator, without `eval`: `arithmetic` parses the expression with a
 * recursive-descent parser; results are rounded to the configured precision and cached when
 * `cache_enabled` is on.
 */
export class Plugin {
  /**
   * @param {{ name: string }} metadata
   * @param {{ precision?: number, cache_enabled?: boolean }} config
   */
  constructor(metadata, config) {
    this.metadata = metadata;
    this.config = config;
    this.precision = config.precision ?? 10;
    /** @type {Map<string, number> | undefined} */
    this.cache = config.cache_enabled === false ? undefined : new Map();
  }

  /**
   * Evaluates an expression such as `2 + 2 * 3` or `sqrt(2) ^ 2`.
   * @param {{ expression: string, precision?: number } | string} params
   * @returns {number}
   */
  arithmetic(params) {
    const { expression, precision } = typeof params === 'string' ? { expression: params } : params;
    const places = precision ?? this.precision;
    const key = `${places}:${expression}`;
    const cached = this.cache?.get(key);
    if (cached !== undefined) return cached;
    const result = roundTo(evaluateExpression(expression), places);
    this.cache?.set(key, result);
    return result;
  }

  /**
   * Computes sin, cos, tan, log, sqrt or exp of a value.
   * @param {{ function: string, value: number }} params
   * @returns {number}
   */
  scientific(params) {
    const operation = SCIENTIFIC_FUNCTIONS.includes(params.function)
      ? FUNCTIONS.get(params.function)
      : undefined;
    if (!operation) throw new RangeError(`Unknown function: ${params.function}`);
    const result = operation(params.value);
    if (!Number.isFinite(result))
      throw new RangeError(`${params.function}(${params.value}) has no finite value`);
    return roundTo(result, this.precision);
  }

  /** How many results the cache holds; 0 when caching is off. */
  cacheSize() {
    return this.cache?.size ?? 0;
  }

  async cleanup() {
    this.cache?.clear();
  }
}
