import { PluginError } from '@agentplug/models';
import { Command, CommanderError } from 'commander';
import { addMarketplaceCommands } from './marketplace-commands';

const EXIT_CODES_HELP = `
Exit codes:
  0  success (serve: stopped by Ctrl+C or SIGTERM)
  1  failure (read the message): the port cannot be used, an archive is refused, ...
  2  usage: unknown command or option, missing or invalid argument
  6  declined: build over a previous build not confirmed (no terminal and no --yes); nothing changed`;

/** Where the command writes; the process's streams by default. */
export interface MarketplaceCommandOutput {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
}

function configure(command: Command, output: Required<MarketplaceCommandOutput>): void {
  command.exitOverride();
  command.configureOutput({
    writeOut: output.stdout,
    writeErr: output.stderr,
    // One line, as the agentplug CLI prints it, with commander's "(Did you mean serve?)" kept on it.
    outputError: (text) =>
      output.stderr(`${oneLine(text)} — run "${commandPath(command)} --help" for usage.\n`),
  });
  for (const child of command.commands) configure(child, output);
}

function oneLine(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent)
    names.unshift(current.name());
  return names.join(' ');
}

/**
 * The command `--help` asks about, if any: help wins wherever it stands, even where commander would
 * read it as an option's value (`serve --store --help`).
 */
function findHelpRequest(program: Command, argv: readonly string[]): Command | undefined {
  if (!argv.includes('--help') && !argv.includes('-h')) return undefined;
  let command = program;
  for (const token of argv) {
    if (token === '--help' || token === '-h') return command;
    const child = command.commands.find((candidate) => candidate.name() === token);
    if (child !== undefined) command = child;
  }
  return command;
}

/**
 * Runs `agentplug-marketplace` with command-line arguments (without the node and script paths)
 * and resolves with the exit code; it never exits the process itself. A failure is one line on
 * standard error with what to do, never a stack trace.
 * @example
 * process.exitCode = await runMarketplaceCommand(process.argv.slice(2));
 */
export async function runMarketplaceCommand(
  argv: readonly string[],
  options: MarketplaceCommandOutput = {},
): Promise<number> {
  const output = {
    stdout: options.stdout ?? ((text: string) => void process.stdout.write(text)),
    stderr: options.stderr ?? ((text: string) => void process.stderr.write(text)),
  };
  const program = new Command('agentplug-marketplace')
    .description('Run the reference agentplug marketplace: serve a store, build a static one, make keys.')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);
  addMarketplaceCommands(program, { commandPath: 'agentplug-marketplace', print: output.stdout });
  configure(program, output);
  const helpFor = findHelpRequest(program, argv);
  if (helpFor !== undefined) {
    helpFor.outputHelp();
    return 0;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander printed its one line; help shown for a missing command is not a failure.
      return error.code === 'commander.help' ||
        error.code === 'commander.helpDisplayed' ||
        error.exitCode === 0
        ? 0
        : 2;
    }
    const line = PluginError.is(error)
      ? `${error.message.split('\n')[0]} [${error.code}] — ${error.hint}`
      : error instanceof Error
        ? error.message.split('\n')[0]
        : String(error);
    output.stderr(`error: ${line}\n`);
    if (PluginError.is(error, 'DECLINED')) return 6;
    return PluginError.is(error, 'INVALID_ARGUMENT') ? 2 : 1;
  }
}
