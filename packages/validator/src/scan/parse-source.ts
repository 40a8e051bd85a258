import { type ParserOptions, type ParserPlugin, parse } from '@babel/parser';
import type { File } from '@babel/types';

/** Extensions of the files the code scan parses. */
export const SCANNED_EXTENSIONS: readonly string[] = [
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
];

/** Whether a file is source the scan parses (declaration files are not: they never run). */
export function isScannedFile(filename: string): boolean {
  if (/\.d\.[cm]?ts$/.test(filename)) return false;
  const dot = filename.lastIndexOf('.');
  return dot >= 0 && SCANNED_EXTENSIONS.includes(filename.slice(dot).toLowerCase());
}

/** The @babel/parser options for a file, by its extension: TypeScript, JSX, ESM or CommonJS. */
export function createParserOptions(filename: string): ParserOptions {
  const extension = filename.slice(filename.lastIndexOf('.')).toLowerCase();
  const plugins: ParserPlugin[] =
    extension === '.ts' || extension === '.mts' || extension === '.cts'
      ? ['typescript', 'decorators-legacy', 'decoratorAutoAccessors']
      : extension === '.tsx'
        ? ['typescript', 'jsx', 'decorators-legacy', 'decoratorAutoAccessors']
        : ['jsx'];
  const sourceType =
    extension === '.mjs' || extension === '.mts'
      ? 'module'
      : extension === '.cjs' || extension === '.cts'
        ? 'script'
        : 'unambiguous';
  return {
    sourceType,
    plugins,
    errorRecovery: true,
    allowReturnOutsideFunction: true,
    // In a CommonJS script `await` outside an async function is a name Node lets code bind
    // (`var await = require`), not an operator: parsing it as one would hide the call. A `.js`
    // file with a top-level `await` operator is parsed as a module, as Node's detection runs it.
    allowAwaitOutsideFunction: sourceType === 'module',
    allowImportExportEverywhere: true,
    allowSuperOutsideMethod: true,
    allowUndeclaredExports: true,
    allowNewTargetOutsideFunction: true,
    attachComment: false,
    sourceFilename: filename,
  };
}

/** The outcome of parsing one file: the tree (possibly recovered) and the syntax errors seen. */
export interface ParsedSource {
  ast: File | undefined;
  errors: { message: string; line: number; column: number }[];
}

/** Parses source text once, never throwing: a syntax error becomes an entry in `errors`. */
export function parseSource(code: string, filename: string): ParsedSource {
  try {
    const ast = parse(code, createParserOptions(filename));
    const errors = (ast.errors ?? []).map((error) => ({
      message: error.reasonCode ? `${error.reasonCode}: ${messageOf(error)}` : messageOf(error),
      line: error.loc?.line ?? 1,
      column: (error.loc?.column ?? 0) + 1,
    }));
    return { ast, errors };
  } catch (error) {
    const location = (error as { loc?: { line: number; column: number } }).loc;
    return {
      ast: undefined,
      errors: [{ message: messageOf(error), line: location?.line ?? 1, column: (location?.column ?? 0) + 1 }],
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
