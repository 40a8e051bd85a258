import { type ParseResult, type ParserOptions, type ParserPlugin, parse } from '@babel/parser';
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
      ? ['typescript', 'decorators-legacy']
      : extension === '.tsx'
        ? ['typescript', 'jsx', 'decorators-legacy']
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
    allowAwaitOutsideFunction: true,
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

/**
 * The options of a first, cheaper attempt at a JavaScript file, without the JSX plugin (which
 * slows tokenising every `<`, `>` and `{` by about a tenth), or undefined when the file's
 * extension says it is JSX or TypeScript. Where JSX can start, `<` is otherwise a syntax error,
 * so a file that parses without errors this way has exactly the tree the JSX plugin would give.
 */
function withoutJsx(filename: string, options: ParserOptions): ParserOptions | undefined {
  const extension = filename.slice(filename.lastIndexOf('.')).toLowerCase();
  if (extension !== '.js' && extension !== '.mjs' && extension !== '.cjs') return undefined;
  return { ...options, plugins: options.plugins?.filter((plugin) => plugin !== 'jsx') };
}

/** The tree of a file: a parse without JSX when that succeeds cleanly, else the full parse (which may throw). */
function parseTree(code: string, filename: string): ParseResult<File> {
  const options = createParserOptions(filename);
  const plain = withoutJsx(filename, options);
  if (plain !== undefined) {
    try {
      const ast = parse(code, plain);
      if (!ast.errors?.length) return ast;
    } catch {
      // JSX, or a syntax error: the full parse below decides, and reports, as it always did.
    }
  }
  return parse(code, options);
}

/**
 * Parses source text, never throwing: a syntax error becomes an entry in `errors`. A plain
 * JavaScript file is parsed once without JSX, and again with it only when that first parse
 * meets a syntax error (JSX, or a real error).
 */
export function parseSource(code: string, filename: string): ParsedSource {
  try {
    const ast = parseTree(code, filename);
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
