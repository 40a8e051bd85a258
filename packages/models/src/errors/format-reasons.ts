/**
 * An error message whose first line carries the first reason, so a host that logs only one line
 * still says why: `headline: first reason (and 2 more)`, then every reason on a line of its own.
 *
 * @example
 * formatReasons('the configuration of com.example.calc is invalid', ['$.config.precision: must be integer']);
 * // 'the configuration of com.example.calc is invalid: $.config.precision: must be integer'
 */
export function formatReasons(headline: string, reasons: readonly string[]): string {
  const [first] = reasons;
  if (first === undefined) return headline;
  if (reasons.length === 1) return `${headline}: ${first}`;
  const rest = reasons.map((reason) => `  - ${reason}`).join('\n');
  return `${headline}: ${first} (and ${reasons.length - 1} more)\n${rest}`;
}
