// The public entry, for hosts that embed the agentplug command line: the program, its commands and
// its exit codes. The helpers the commands share (output, settings, failures) are internal.
export { commandRegistrations, createProgram, type RegisterCommand } from './program/create-program';
export { ExitCode } from './program/exit-codes';
export { runCli } from './program/run-cli';
