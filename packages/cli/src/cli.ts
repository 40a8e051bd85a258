import { guardProcess } from './program/guard-process';
import { runCli } from './program/run-cli';

// The bin: tsup adds the `#!/usr/bin/env node` line. The exit code is set, not forced, so output drains.
guardProcess({ verbose: process.argv.includes('--verbose') });
void runCli(process.argv).then((exitCode) => {
  process.exitCode = exitCode;
});
