import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { hasControllingTerminal } from './controlling-terminal';

/** The /proc/self/stat line of `cat` started by `command` (a real process, as the kernel sees it). */
function statOf(command: string[]): string {
  const result = spawnSync(command[0] as string, command.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

describe('hasControllingTerminal', () => {
  it('is true for a process on a terminal (script gives it a pseudo-terminal)', () => {
    expect(hasControllingTerminal(statOf(['script', '-qec', 'cat /proc/self/stat', '/dev/null']))).toBe(true);
  });

  it('is false for a process in a session without a terminal', () => {
    expect(hasControllingTerminal(statOf(['setsid', '-w', 'cat', '/proc/self/stat']))).toBe(false);
  });

  it('reads a command name with spaces and parentheses, and fails safe on what it cannot read', () => {
    expect(hasControllingTerminal('42 (a) b (c)) S 1 42 42 0 -1 4194560')).toBe(false);
    expect(hasControllingTerminal('42 (a) b (c)) S 1 42 42 34816 -1 4194560')).toBe(true);
    expect(hasControllingTerminal('garbage')).toBe(true);
    expect(hasControllingTerminal('')).toBe(true);
  });
});
