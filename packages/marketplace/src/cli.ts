import { runMarketplaceCommand } from './command/run-marketplace-command';

// The bin. The exit code is set, not forced, so a serving process stays up and output drains.
void runMarketplaceCommand(process.argv.slice(2)).then((exitCode) => {
  if (exitCode !== 0) process.exitCode = exitCode;
});
