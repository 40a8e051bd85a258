import { PluginError } from '@agentplug/models';
import { CommanderError } from 'commander';
import { cliHintFor } from './cli-hints';
import { readCommandExitCode } from './command-failure';
import { createProgram } from './create-program';
import { ExitCode, exitCodeForError } from './exit-codes';
import { printErrorLine } from './output';
import { escapeTerminalText } from './terminal-text';

function describeError(error: unknown): { line: string; hint: string } {
  if (PluginError.is(error)) {
    // The code goes on the first line, the one that is always printed.
    const [first = '', ...rest] = error.message.split('\n');
    return {
      line: [`${first} [${error.code}]`, ...rest].join('\n'),
      // A hint the command gave this very failure wins over the one for its code.
      hint: cliHintFor(error.code, Object.hasOwn(error, 'hint') ? error.hint : undefined),
    };
  }
  if (error instanceof Error) return { line: error.message, hint: 'Run again with --verbose for details.' };
  return { line: String(error), hint: '' };
}

/** Prints a failure as one readable line with what to do; the stack and cause only with --verbose. */
export function reportError(error: unknown, verbose: boolean): void {
  const { line, hint } = describeError(error);
  // Messages can quote a marketplace or a plugin: each printed line is escaped for the terminal.
  const lines = line.split('\n').map(escapeTerminalText);
  printErrorLine(`error: ${lines[0] ?? ''}${hint ? ` — ${hint}` : ''}`);
  if (verbose) {
    if (lines.length > 1) for (const text of lines) printErrorLine(text);
    if (error instanceof Error && error.stack) printErrorLine(error.stack);
    if (error instanceof Error && error.cause !== undefined) {
      printErrorLine(
        `cause: ${error.cause instanceof Error ? (error.cause.stack ?? error.cause.message) : String(error.cause)}`,
      );
    }
    if (PluginError.is(error) && Object.keys(error.details).length > 0) {
      printErrorLine(`details: ${JSON.stringify(error.details, null, 2)}`);
    }
  }
}

/**
 * Runs the `agentplug` command line with the given argv (`process.argv` form) and resolves to
 * the exit code; it never calls `process.exit` itself.
 */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = createProgram();
  const verbose = argv.includes('--verbose');
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.SUCCESS;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has printed its one-line message; help and version are not failures.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      ) {
        return ExitCode.SUCCESS;
      }
      return error.exitCode === 0 ? ExitCode.SUCCESS : ExitCode.USAGE;
    }
    reportError(error, verbose);
    return readCommandExitCode(error) ?? exitCodeForError(error);
  }
}
