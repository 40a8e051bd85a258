import { addMarketplaceCommands } from '@agentplug/marketplace/command';
import type { Command } from 'commander';
import { printLine } from '../program/output';

/**
 * Registers `agentplug marketplace serve|build|keygen`: the marketplace package's own commands,
 * the same definitions `agentplug-marketplace` runs, so the two spell every flag alike.
 */
export function registerMarketplaceCommand(program: Command): void {
  const marketplace = program
    .command('marketplace')
    .description('run the reference marketplace: serve a store, build a static one, make keys');
  addMarketplaceCommands(marketplace, {
    commandPath: 'agentplug marketplace',
    print: (text) => printLine(text.replace(/\n$/, '')),
  });
  marketplace.commands
    .find((command) => command.name() === 'serve')
    ?.addHelpText('after', '\nExit codes: 0 stopped, 2 bad option, 4 the port cannot be used.');
}
