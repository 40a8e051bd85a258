#!/usr/bin/env node
import { runMcpCommand } from '../run-mcp-command';

// Stdio mode ends when standard input closes; a signal ends it the same way.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
process.once('SIGTERM', () => controller.abort());

runMcpCommand(process.argv.slice(2), { signal: controller.signal }).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(
      `[agentplug-mcp] ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
