import { describe, expect, test } from 'vitest';
import { runAgentplug } from './run-agentplug';

const COMMANDS = [
  'init',
  'validate',
  'pack',
  'publish',
  'search',
  'info',
  'install',
  'update',
  'list',
  'uninstall',
  'marketplace',
];

describe('agentplug usage', () => {
  test('--help lists every command and the exit codes; each command has examples', async () => {
    const [main, install, serve] = await Promise.all([
      runAgentplug(['--help']),
      runAgentplug(['install', '--help']),
      runAgentplug(['marketplace', 'serve', '--help']),
    ]);
    expect(main.exitCode).toBe(0);
    for (const command of COMMANDS) expect(main.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(main.stdout).toContain('Exit codes:');
    expect(main.stdout).toContain('AGENTPLUG_MARKETPLACE');
    expect(install.exitCode).toBe(0);
    expect(install.stdout).toContain('Examples:');
    expect(install.stdout).toContain('--yes');
    expect(serve.stdout).toContain('agentplug marketplace serve --store');
  });

  test('an unknown command, an unknown option and a missing argument exit 2 with one line', async () => {
    const [unknownCommand, unknownOption, missingArgument] = await Promise.all([
      runAgentplug(['instal', 'x']),
      runAgentplug(['list', '--frobnicate']),
      runAgentplug(['uninstall']),
    ]);
    expect(unknownCommand.exitCode).toBe(2);
    expect(unknownCommand.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^error: unknown command 'instal' \(Did you mean install\?\) — run "agentplug --help" for usage\.$/,
      ),
    ]);
    expect(unknownOption.exitCode).toBe(2);
    expect(unknownOption.stderr).toMatch(/^error: unknown option '--frobnicate'.*agentplug list --help/);
    expect(missingArgument.exitCode).toBe(2);
    expect(missingArgument.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^error: missing required argument 'id'.*agentplug uninstall --help/),
    ]);
    for (const result of [unknownCommand, unknownOption, missingArgument]) expect(result.stdout).toBe('');
  });

  test('a marketplace command without a URL says how to set one, exit 2', async () => {
    const result = await runAgentplug(['search', 'x']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^error: no marketplace URL: pass --marketplace <url>, set AGENTPLUG_MARKETPLACE/,
    );
  });
});
