import { PluginError } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { parseRiskLevel } from '../commands/validate';
import { createCommandFailure, readCommandExitCode } from './command-failure';
import { ExitCode, exitCodeForError } from './exit-codes';

describe('exit codes', () => {
  test('map PluginError codes to the documented exit codes', () => {
    expect(exitCodeForError(new PluginError('NETWORK_ERROR', 'x'))).toBe(ExitCode.UNREACHABLE);
    expect(exitCodeForError(new PluginError('NOT_FOUND', 'x'))).toBe(ExitCode.NOT_FOUND);
    expect(exitCodeForError(new PluginError('PLUGIN_NOT_FOUND', 'x'))).toBe(ExitCode.NOT_FOUND);
    expect(exitCodeForError(new PluginError('VALIDATION_FAILED', 'x'))).toBe(ExitCode.VALIDATION_FAILED);
    expect(exitCodeForError(new PluginError('INTEGRITY_MISMATCH', 'x'))).toBe(ExitCode.INTEGRITY);
    expect(exitCodeForError(new PluginError('INVALID_ARGUMENT', 'x'))).toBe(ExitCode.USAGE);
    expect(exitCodeForError(new PluginError('INSTALL_FAILED', 'x'))).toBe(ExitCode.FAILURE);
    expect(exitCodeForError(new Error('plain'))).toBe(ExitCode.FAILURE);
  });

  test('a command failure carries its own exit code and hint', () => {
    const failure = createCommandFailure('DECLINED', 'declined', ExitCode.DECLINED, {
      hint: 'Pass --yes.',
    });
    expect(readCommandExitCode(failure)).toBe(ExitCode.DECLINED);
    expect(failure.hint).toBe('Pass --yes.');
    expect(PluginError.is(failure, 'DECLINED')).toBe(true);
    expect(exitCodeForError(new PluginError('DECLINED', 'x'))).toBe(ExitCode.DECLINED);
    expect(readCommandExitCode(new PluginError('INVALID_ARGUMENT', 'x'))).toBeUndefined();
  });
});

describe('risk thresholds', () => {
  test('read a threshold and refuse unknown levels', () => {
    expect(parseRiskLevel(undefined)).toBe('high');
    expect(parseRiskLevel('medium')).toBe('medium');
    expect(() => parseRiskLevel('severe')).toThrowError(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
