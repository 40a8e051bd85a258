import { reportError } from './run-cli';

/**
 * What the `agentplug` bin sets up before it runs, so no input and no closed pipe ends in a stack
 * trace: standard output or error closed by the reader (`agentplug list | head`, EPIPE) ends the
 * process quietly with the exit code reached so far; anything thrown outside a command (a stray
 * rejection in a library) is reported as one line, like any other failure, with exit code 1.
 */
export function guardProcess(options: { verbose: boolean }): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        // The reader has gone: nothing more can be said, and nothing is wrong with what was done.
        process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      }
      process.exitCode = 1;
    });
  }
  const lastResort = (error: unknown): void => {
    try {
      reportError(error, options.verbose);
    } catch {
      // Standard error itself is gone.
    }
    process.exit(1);
  };
  process.on('uncaughtException', lastResort);
  process.on('unhandledRejection', lastResort);
}
