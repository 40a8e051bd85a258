import { runMarketplaceCommand } from '../../src/command/run-marketplace-command';

/** What {@link runCaptured} returns: the exit code and everything written to each stream. */
export interface CapturedRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `agentplug-marketplace <argv>` in this process with its output captured (inputs that never start a server). */
export async function runCaptured(argv: readonly string[]): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const exitCode = await runMarketplaceCommand(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { exitCode, stdout, stderr };
}
