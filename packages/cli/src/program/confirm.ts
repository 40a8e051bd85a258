import { createInterface } from 'node:readline/promises';
import { createCommandFailure } from './command-failure';
import { ExitCode } from './exit-codes';

/**
 * Asks a yes/no question on the terminal. Without a terminal it never waits: the answer is "no",
 * with a message saying to pass --yes.
 * @throws PluginError DECLINED (exit code 6) when declined or when there is no terminal
 */
export async function confirmOrDecline(
  question: string,
  options: { yes?: boolean; action: string; hint?: string | undefined },
): Promise<void> {
  if (options.yes) return;
  if (!process.stdin.isTTY) {
    throw createCommandFailure(
      'DECLINED',
      `${options.action} needs confirmation, and there is no terminal to ask: nothing was changed`,
      ExitCode.DECLINED,
      { hint: options.hint ?? 'Pass --yes to confirm without a prompt.' },
    );
  }
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await readline.question(`${question} [y/N] `)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      throw createCommandFailure(
        'DECLINED',
        `${options.action} declined: nothing was changed`,
        ExitCode.DECLINED,
        { hint: options.hint ?? 'Run again and answer "y", or pass --yes.' },
      );
    }
  } finally {
    readline.close();
  }
}
