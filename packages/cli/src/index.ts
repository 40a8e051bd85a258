export { createCommandFailure } from './program/command-failure';
export { commandRegistrations, createProgram, type RegisterCommand } from './program/create-program';
export { ExitCode, exitCodeForError } from './program/exit-codes';
export { formatTable, printErrorLine, printJson, printLine } from './program/output';
export { reportError, runCli } from './program/run-cli';
export {
  type CliConfigFile,
  type GlobalOptions,
  readCliConfig,
  resolveMarketplaceUrl,
} from './program/settings';
