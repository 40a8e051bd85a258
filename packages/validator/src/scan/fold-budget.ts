/**
 * How much folding one scan may do, in characters of folded strings and elements of folded
 * arrays. Each fold is capped on its own (100,000 characters); this caps their sum, so a file
 * of many folds (a chain of `replaceAll`, arrays spread into themselves) cannot grow the
 * scanning process without end. Past it, folding stops: values are unknown, which the rules
 * report wherever they matter (an unknown module name, an unknown timer string).
 *
 * One counter per thread, reset by each scan: scans are synchronous, so one runs at a time.
 */
let remaining = 0;

/** The default budget of one file: a few times what the largest real files fold. */
export const DEFAULT_FOLD_BUDGET = 16_000_000;

/** Starts a scan's budget. */
export function resetFoldBudget(units: number = DEFAULT_FOLD_BUDGET): void {
  remaining = units;
}

/** Spends `units` of the budget; false (and nothing spent) when that would exceed it. */
export function spendFoldBudget(units: number): boolean {
  if (units > remaining) return false;
  remaining -= units;
  return true;
}
