import type * as BabelTypes from '@babel/types';
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
}

/** A short, single-line excerpt of folded code for a finding message. */
export function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}
