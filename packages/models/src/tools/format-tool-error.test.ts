import { describe, expect, it } from 'vitest';
import { PluginError } from '../errors/plugin-error';
import { formatToolError } from './format-tool-error';

describe('formatToolError', () => {
  it('gives the code, the message and the hint of a PluginError', () => {
    const error = new PluginError('PERMISSION_DENIED', 'network access to api.example.com is not declared');
    expect(formatToolError(error)).toBe(
      "PERMISSION_DENIED: network access to api.example.com is not declared\nHint: Declare the permission named in the message in plugin.json's permissions.",
    );
  });

  it('adds the cause when the message does not already say it', () => {
    const cause = new Error('socket hang up');
    expect(formatToolError(new PluginError('WORKER_CRASHED', 'the worker exited', { cause }))).toContain(
      '\nCause: socket hang up\n',
    );
    expect(
      formatToolError(new PluginError('WORKER_CRASHED', 'exited: socket hang up', { cause })),
    ).not.toContain('Cause:');
  });

  it('reads any other error or thrown value', () => {
    expect(formatToolError(new RangeError('Division by zero'))).toBe('RangeError: Division by zero');
    expect(formatToolError('plain text')).toBe('Error: plain text');
  });
});
