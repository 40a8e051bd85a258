import { PluginError } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { AgentplugToolError } from './agentplug-tool-error';

describe('AgentplugToolError', () => {
  it('reads as the model text in message and toString, and keeps the code and the cause', () => {
    const cause = new PluginError('TIMEOUT', 'forecast() took longer than 400 ms');
    const error = new AgentplugToolError(cause);
    const text =
      'TIMEOUT: forecast() took longer than 400 ms\nHint: Raise the time limit or make the operation faster.';
    expect(error.message).toBe(text);
    expect(String(error)).toBe(text);
    expect(error.code).toBe('TIMEOUT');
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('AgentplugToolError');
  });

  it('has no code for an error that is not a PluginError', () => {
    const error = new AgentplugToolError(new TypeError('boom'));
    expect(error.code).toBeUndefined();
    expect(error.message).toBe('TypeError: boom');
  });
});
