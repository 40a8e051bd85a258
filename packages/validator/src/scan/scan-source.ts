import type { Finding } from '@agentplug/models';
import { FindingCodes } from './finding-codes';
import { resetFoldBudget } from './fold-budget';
import { type ParsedSource, parseSource } from './parse-source';
import type { SourceAnalysis } from './scan-result';
import { SourceScanner } from './source-scanner';

/** Options for {@link scanSource}. */
export interface ScanSourceOptions {
  /** Path of the file relative to the plugin folder; its extension picks TypeScript, JSX, ESM or CommonJS. */
  filename: string;
}

/** How {@link analyzeSource} parses a file: by its extension, or as a CommonJS script whatever it is called. */
export type ParseMode = 'by-extension' | 'commonjs';

/** A message for a scan that stopped short: the stack ran out, or something else broke. */
function reasonOf(error: unknown): string {
  if (error instanceof RangeError) return `it nests too deeply to walk (${error.message})`;
  return `the scan failed: ${error instanceof Error ? error.message : String(error)}`;
}

/** Walks one parsed tree into `scanner`; a stack overflow or failure is a SCAN_INCOMPLETE finding. */
function walk(scanner: SourceScanner, parsed: ParsedSource): void {
  if (parsed.ast === undefined) return;
  try {
    scanner.scanProgram(parsed.ast.program);
  } catch (error) {
    scanner.reportAt(
      'SCAN_INCOMPLETE',
      { line: 1, column: 1 },
      `could not be scanned completely: ${reasonOf(error)}`,
    );
  }
}

/**
 * Parses one file once and scans it; never throws. A file that does not parse, or that cannot be
 * walked to its end, gets a SCAN_INCOMPLETE finding (what the parser recovers is still scanned).
 */
export function analyzeSource(
  code: string,
  filename: string,
  mode: ParseMode = 'by-extension',
): SourceAnalysis {
  resetFoldBudget();
  const parserName = mode === 'commonjs' ? `${filename}.cjs` : filename;
  const parsed = parseSource(code, parserName);
  const scanner = new SourceScanner(filename);
  const firstError = parsed.errors[0];
  if (firstError !== undefined) {
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more syntax errors)` : '';
    const reason = /Maximum call stack/.test(firstError.message)
      ? 'it nests too deeply to parse'
      : `${firstError.message}${more}`;
    scanner.reportAt(
      'SCAN_INCOMPLETE',
      firstError,
      `does not parse, so it could not be scanned completely${parsed.ast ? ' (what could be recovered was scanned)' : ''}: ${reason}`,
    );
  }
  walk(scanner, parsed);
  return { uses: scanner.uses, imports: scanner.imports };
}

/** The analysis of a file the scan could not read to its end: one SCAN_INCOMPLETE finding saying why. */
export function incompleteAnalysis(filename: string, reason: string): SourceAnalysis {
  const info = FindingCodes.SCAN_INCOMPLETE;
  return {
    uses: [
      {
        finding: {
          code: 'SCAN_INCOMPLETE',
          capability: info.capability,
          severity: info.severity,
          file: filename,
          line: 1,
          column: 1,
          message: `could not be scanned completely: ${reason}`,
        },
        target: undefined,
      },
    ],
    imports: [],
  };
}

/**
 * Scans the source of one file for capability uses: shell, eval, network, file system,
 * environment, native addons and code loaded by names that cannot be resolved statically.
 * Scopes are tracked and constants folded, so aliases, computed members and encoded module
 * names are seen through.
 *
 * @example
 * const findings = scanSource("const cp = require('child_' + 'process'); cp.exec('ls');", { filename: 'main.js' });
 * // findings[0].code === 'SHELL_MODULE', findings[1].code === 'SHELL_EXEC'
 */
export function scanSource(code: string, options: ScanSourceOptions): Finding[] {
  return analyzeSource(code, options.filename).uses.map((use) => use.finding);
}
