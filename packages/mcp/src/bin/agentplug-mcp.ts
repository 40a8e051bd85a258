#!/usr/bin/env node
import { runMcpCommand } from '../command/run-mcp-command';

// Stdio mode ends when standard input closes; a signal ends either mode the same way.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

// runMcpCommand reports every failure itself, in one line; the exit code is set, not forced.
void runMcpCommand(process.argv.slice(2), { signal: controller.signal }).then((exitCode) => {
  process.exitCode = exitCode;
});
