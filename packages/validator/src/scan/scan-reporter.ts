import type * as BabelTypes from '@babel/types';
import type { AbstractValue, FunctionValue } from './abstract-value';
import type { FindingCode } from './finding-codes';

/**
 * What the capability rules need of the scan: a place to record findings and imports. The rules
 * are plain functions over this, so they can be read and tested apart from the walker.
 */
export interface ScanReporter {
  /** Records a finding at `node`; `target` is the host, path or variable when one applies. */
  report(code: FindingCode, node: BabelTypes.Node, message: string, target?: string | null): void;
  /** Records a module loaded with a statically known name, at `node`. */
  recordImport(specifier: string, node: BabelTypes.Node): void;
  /**
   * Scans code the file builds and runs (`eval`, `Function`, a string timer), reporting what it
   * reaches at `node`; returns the value of its last expression (`eval('require')`). `parameters`
   * makes it a function body with those parameter names.
   */
  scanEvaluatedCode(code: string, node: BabelTypes.Node, parameters?: string): AbstractValue;
}

/** What the call rules need besides a reporter: calling a function written in the file. */
export interface ScanEngine extends ScanReporter {
  /** Whether the walk is in the body of an interop helper (`__importStar`), which hands its argument back. */
  readonly inHelper: boolean;
  /**
   * Calls a function value: the dangerous arguments are bound to the parameters of a function
   * of the file, or escape; `plain` is a call without a receiver (`f()`, not `o.f()`).
   */
  callFunction(
    callee: FunctionValue,
    args: readonly AbstractValue[],
    node: BabelTypes.Node,
    plain: boolean,
  ): AbstractValue;
}

/** A short, single-line excerpt of folded code for a finding message. */
export function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}
