import { PluginError } from '@agentplug/models';
import { describe, expect, test } from 'vitest';
import { formatPermissions, parsePluginSpec } from './install';

describe('parsePluginSpec', () => {
  test('splits an id from an optional range', () => {
    expect(parsePluginSpec('com.example.calculator')).toEqual({
      pluginId: 'com.example.calculator',
      range: undefined,
    });
    expect(parsePluginSpec('com.example.calculator@^1.2.0')).toEqual({
      pluginId: 'com.example.calculator',
      range: '^1.2.0',
    });
    expect(parsePluginSpec('com.example.calculator@>=1.0.0,<2.0.0').range).toBe('>=1.0.0,<2.0.0');
  });

  test('refuses an empty range with INVALID_ARGUMENT', () => {
    let caught: unknown;
    try {
      parsePluginSpec('com.example.calculator@');
    } catch (error) {
      caught = error;
    }
    expect(PluginError.is(caught, 'INVALID_ARGUMENT')).toBe(true);
  });
});

describe('formatPermissions', () => {
  test('lists the permissions asked for, or none', () => {
    expect(
      formatPermissions({
        filesystem_read: [],
        filesystem_write: ['./data'],
        network_hosts: ['api.example.com', 'cdn.example.com'],
        external_apis: [],
        environment_variables: [],
      }),
    ).toBe('filesystem_write: ./data; network_hosts: api.example.com, cdn.example.com');
    expect(
      formatPermissions({
        filesystem_read: [],
        filesystem_write: [],
        network_hosts: [],
        external_apis: [],
        environment_variables: [],
      }),
    ).toBe('none');
  });
});
