import { Command } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { registerBuildCommand } from '../commands/build';
import { registerCiCommand } from '../commands/ci';
import { registerConfigCommand } from '../commands/config';
import { registerInfoCommand } from '../commands/info';
import { registerInitCommand } from '../commands/init';
import { registerInstallCommand } from '../commands/install';
import { registerListCommand } from '../commands/list';
import { registerMarketplaceCommand } from '../commands/marketplace';
import { registerMcpCommand } from '../commands/mcp';
import { registerPackCommand } from '../commands/pack';
import { registerPublishCommand } from '../commands/publish';
import { registerSearchCommand } from '../commands/search';
import { registerUninstallCommand } from '../commands/uninstall';
import { registerUpdateCommand } from '../commands/update';
import { registerValidateCommand } from '../commands/validate';
import { printErrorLine } from './output';

/** Adds one command (with its options, help and action) to the program. */
export type RegisterCommand = (program: Command) => void;

/** The commands of `agentplug`, in the order `--help` lists them. Add new commands here. */
export const commandRegistrations: readonly RegisterCommand[] = [
  registerInitCommand,
  registerBuildCommand,
  registerValidateCommand,
  registerPackCommand,
  registerPublishCommand,
  registerSearchCommand,
  registerInfoCommand,
  registerInstallCommand,
  registerUpdateCommand,
  registerListCommand,
  registerUninstallCommand,
  registerCiCommand,
  registerConfigCommand,
  registerMarketplaceCommand,
  registerMcpCommand,
];

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  failure not covered below (read the message)
  2  usage: unknown command or option, missing or invalid argument
  3  validation failed, risk above the threshold, or a configuration that does not fit
  4  marketplace unreachable
  5  plugin or version not found
  6  confirmation declined (or no terminal and no --yes), or new permissions not approved
  7  signature, hash or archive check failed

Environment:
  AGENTPLUG_MARKETPLACE  marketplace URL (after --marketplace)
  AGENTPLUG_CONFIG       config file (default: the per-OS config folder, on Linux $XDG_CONFIG_HOME/agentplug/config.json)
  AGENTPLUG_TOKEN        publish token
  AGENTPLUG_TRUSTED_KEYS marketplace public keys to trust, comma-separated
  AGENTPLUG_PLUGINS_DIR  where plugins are installed (default ./plugins)`;

/**
 * Builds the `agentplug` commander program. Errors are thrown (`exitOverride`), never turned into
 * `process.exit`, so `runCli` decides the exit code.
 */
export function createProgram(registrations: readonly RegisterCommand[] = commandRegistrations): Command {
  const program = new Command('agentplug')
    .description('Create, validate, pack, publish, find and install agentplug plugins.')
    .version(readVersion(), '-V, --version', 'print the agentplug version')
    .option('--marketplace <url>', 'marketplace URL (else AGENTPLUG_MARKETPLACE, else the config file)')
    .option('--config <file>', 'config file (JSON) with marketplace, pluginsDirectory, token, trustedKeys')
    .option('--verbose', 'print stack traces and details on errors')
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);
  for (const register of registrations) register(program);
  applyErrorHandling(program);
  return program;
}

function applyErrorHandling(command: Command): void {
  command.exitOverride();
  command.configureOutput({
    outputError: (text) => {
      const lines = text.trim().split('\n');
      // One line, but commander's suggestion is part of the answer: "(Did you mean install?)".
      const suggestion = lines.find((line) => /^\(Did you mean /.test(line.trim()));
      const first = lines[0] ?? '';
      printErrorLine(
        `${first}${suggestion === undefined ? '' : ` ${suggestion.trim()}`} — run "${commandPath(command)} --help" for usage.`,
      );
    },
  });
  for (const child of command.commands) applyErrorHandling(child);
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let current: Command | null = command; current; current = current.parent)
    names.unshift(current.name());
  return names.join(' ');
}

function readVersion(): string {
  return packageJson.version;
}
