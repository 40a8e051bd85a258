import { readdir } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { PluginError } from '@agentplug/models';

/** Asks a yes/no question; resolves true only on "y" or "yes". */
export type AskQuestion = (question: string) => Promise<boolean>;

/**
 * Asks on the terminal (the question on standard error). With no terminal it never waits: the answer is no.
 * @example
 * if (await askOnTerminal('Replace ./site?')) replace();
 */
export async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await readline.question(`${question} [y/N] `)).trim().toLowerCase();
    return answer === 'y' || answer === 'yes';
  } finally {
    readline.close();
  }
}

/** Whether a folder exists and holds anything. */
async function holdsAnything(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).length > 0;
  } catch {
    return false;
  }
}

/**
 * Confirms writing over a folder that already holds something (a previous build): `--yes`, or a
 * "y" on the terminal. Nothing is asked for an empty or missing folder.
 * @throws PluginError DECLINED when not confirmed (no terminal and no --yes, or any answer but "y"): nothing was changed
 */
export async function confirmReplaceFolder(
  folder: string,
  options: { yes?: boolean | undefined; ask: AskQuestion; what: string },
): Promise<void> {
  if (options.yes === true || !(await holdsAnything(folder))) return;
  if (await options.ask(`${folder} already holds files; replace ${options.what} there?`)) return;
  throw new PluginError(
    'DECLINED',
    `${folder} already holds files and replacing ${options.what} there was not confirmed${process.stdin.isTTY ? '' : ' (no terminal to ask)'}: nothing was changed`,
    { details: { folder } },
  );
}

/**
 * Confirms removing something (a namespace, a token): `--yes`, or a "y" on the terminal.
 * @throws PluginError DECLINED when not confirmed (no terminal and no --yes, or any answer but "y"): nothing was changed
 */
export async function confirmRemoval(
  what: string,
  options: { yes?: boolean | undefined; ask: AskQuestion },
): Promise<void> {
  if (options.yes === true || (await options.ask(`${what}?`))) return;
  throw new PluginError(
    'DECLINED',
    `${what} was not confirmed${process.stdin.isTTY ? '' : ' (no terminal to ask: pass --yes)'}: nothing was changed`,
  );
}
