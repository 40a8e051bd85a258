import { PluginError } from '@agentplug/models';
import { type Command, CommanderError } from 'commander';
import { createMcpCommand } from './mcp-command';

/** Options of {@link runMcpCommand}. */
export interface McpCommandOptions {
  /** Where progress and failures are written. Default: standard error (standard output carries the protocol). */
  log?: (message: string) => void;
  /** Stops the command, as closing standard input (stdio) or a signal (HTTP) does. */
  signal?: AbortSignal;
  /** Where `--help` is written. Default: standard output. */
  print?: (text: string) => void;
}

function oneLine(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

/**
 * Runs `agentplug-mcp` with command-line arguments (without the node and script paths) and
 * resolves with the exit code once the server stops: 0 stopped, 2 usage (or a missing plugin
 * folder), 1 any other failure, each told in one line, never a stack trace.
 *
 * @example
 * process.exitCode = await runMcpCommand(['--plugins', './plugins']);
 */
export async function runMcpCommand(
  argv: readonly string[],
  options: McpCommandOptions = {},
): Promise<number> {
  const log = options.log ?? ((message: string) => process.stderr.write(`[agentplug-mcp] ${message}\n`));
  const print = options.print ?? ((text: string) => void process.stdout.write(text));
  const command: Command = createMcpCommand({
    name: 'agentplug-mcp',
    commandPath: 'agentplug-mcp',
    log,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  })
    .exitOverride()
    .configureOutput({
      writeOut: print,
      writeErr: (text) => log(text.trimEnd()),
      // One line, with commander's "(Did you mean --plugins?)" kept on it.
      outputError: (text) => log(`${oneLine(text)} — run "agentplug-mcp --help" for usage.`),
    });
  // --help wins wherever it stands, even where commander would read it as an option's value.
  if (argv.includes('--help') || argv.includes('-h')) {
    command.outputHelp();
    return 0;
  }
  try {
    await command.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (PluginError.is(error)) {
      log(`error: ${error.message.split('\n')[0]} [${error.code}] — ${error.hint}`);
      return error.code === 'INVALID_ARGUMENT' ? 2 : 1;
    }
    log(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    return 1;
  }
}
