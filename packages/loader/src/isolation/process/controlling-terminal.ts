import { readFileSync } from 'node:fs';

/**
 * Whether a process has a controlling terminal, from its `/proc/<pid>/stat` line (the host's own by
 * default). Only a process with a controlling terminal can push input into it (TIOCSTI), so only
 * then does a plugin process need a session of its own. Fails safe: when the line cannot be read
 * or parsed (not Linux), it answers true.
 */
export function hasControllingTerminal(statLine?: string): boolean {
  let line = statLine;
  if (line === undefined) {
    try {
      line = readFileSync('/proc/self/stat', 'utf8');
    } catch {
      return true;
    }
  }
  // The command name is in parentheses and may hold anything, spaces and ")" included.
  const fields = line.slice(line.lastIndexOf(')') + 2).split(' ');
  // After the name: state, ppid, pgrp, session, tty_nr (0 when there is no controlling terminal).
  const terminal = Number(fields[4]);
  return !Number.isSafeInteger(terminal) || terminal !== 0;
}
