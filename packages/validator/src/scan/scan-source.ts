import type { Finding } from '@agentplug/models';
import { parseSource } from './parse-source';
import type { SourceAnalysis } from './scan-result';
import { SourceScanner } from './source-scanner';

/** Options for {@link scanSource}. */
export interface ScanSourceOptions {
  /** Path of the file relative to the plugin folder; its extension picks TypeScript, JSX, ESM or CommonJS. */
  filename: string;
}

/** Parses one file once and scans it; never throws (a file that does not parse is a PARSE_ERROR use). */
export function analyzeSource(code: string, filename: string): SourceAnalysis {
  const parsed = parseSource(code, filename);
  const scanner = new SourceScanner(filename);
  const firstError = parsed.errors[0];
  if (firstError !== undefined) {
    const more = parsed.errors.length > 1 ? ` (and ${parsed.errors.length - 1} more syntax errors)` : '';
    scanner.reportAt(
      'PARSE_ERROR',
      firstError,
      `does not parse${parsed.ast ? '; scanned what could be recovered' : ''}: ${firstError.message}${more}`,
    );
  }
  if (parsed.ast !== undefined) {
    try {
      scanner.scanProgram(parsed.ast.program);
    } catch (error) {
      // A stack overflow on pathologically nested code must not crash validation.
      scanner.reportAt(
        'PARSE_ERROR',
        { line: 1, column: 1 },
        `could not be scanned completely: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  return { uses: scanner.uses, imports: scanner.imports };
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
