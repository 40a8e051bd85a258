import type * as BabelTypes from '@babel/types';
import { type AbstractValue, UNKNOWN } from './abstract-value';
import type { FindingCode } from './finding-codes';
import { spendFoldBudget } from './fold-budget';
import { parseSource } from './parse-source';
import type { ScanReporter } from './scan-reporter';
import type { CapabilityUse, ImportRecord } from './scan-result';

/** How deep code run by code is followed (`eval` of a string that calls `eval` of a string...). */
export const MAX_EVALUATION_DEPTH = 4;

/** A scanner of the code a file evaluates: a fresh walker of the same file, at the program's top. */
export interface EvaluatedCodeScanner {
  readonly uses: readonly CapabilityUse[];
  readonly imports: readonly ImportRecord[];
  /** Scans a program; returns the value of its last statement when that is an expression. */
  scanEvaluatedProgram(program: BabelTypes.Program): AbstractValue;
}

/** What {@link scanEvaluated} is given: the code, where the file runs it, and the nested scanner. */
export interface EvaluatedCode {
  code: string;
  node: BabelTypes.Node;
  /** Parameter names when the code is a function body (`Function('a', 'b', body)`). */
  parameters: string | undefined;
  nested: EvaluatedCodeScanner;
}

/**
 * Scans a string the file runs as code (`eval`, `Function`, a string timer, `module._compile`)
 * and reports what it reaches at the place that runs it, each message saying so. The string is
 * charged to the fold budget; code that does not parse is not scanned (running it throws).
 * Returns what `eval` of it gives: the value of its last expression (`eval('require')`).
 */
export function scanEvaluated(reporter: ScanReporter, evaluated: EvaluatedCode): AbstractValue {
  const { code, node, parameters, nested } = evaluated;
  if (!spendFoldBudget(code.length)) return UNKNOWN;
  // As V8 builds it: a function of those parameters around the body.
  const source = parameters === undefined ? code : `(function anonymous(${parameters}\n) {\n${code}\n})`;
  const parsed = parseSource(source, 'evaluated.cjs');
  if (parsed.ast === undefined || parsed.errors.length > 0) return UNKNOWN;
  const value = nested.scanEvaluatedProgram(parsed.ast.program);
  for (const { finding, target } of nested.uses) {
    reporter.report(
      finding.code as FindingCode,
      node,
      `runs code built from a string that ${finding.message}`,
      target,
    );
  }
  for (const record of nested.imports) reporter.recordImport(record.specifier, node);
  return parameters === undefined ? value : UNKNOWN;
}
