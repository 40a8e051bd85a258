import { PluginError } from '@agentplug/models';
import type { IndexPluginEntry } from '@agentplug/registry-client/protocol';
import { describe, expect, it } from 'vitest';
import { assertListable } from './check-listable';

function entry(overrides: { constraint?: string; version?: string } = {}): IndexPluginEntry {
  const version = overrides.version ?? '1.0.0';
  return {
    plugin_id: 'com.example.listed',
    name: 'listed',
    description: 'A listed plugin',
    plugin_type: 'tool',
    tags: [],
    author: 'tests',
    downloads: 0,
    rating: 0,
    rating_count: 0,
    versions: {
      [version]: {
        version,
        dependencies:
          overrides.constraint === undefined
            ? []
            : [{ plugin_id: 'com.example.other', version_constraint: overrides.constraint, optional: true }],
        min_runtime_version: '*',
        max_runtime_version: '*',
        permissions: {
          filesystem_read: [],
          filesystem_write: [],
          network_hosts: [],
          external_apis: [],
          environment_variables: [],
        },
        security_score: 100,
        risk_level: 'low',
        sha256: 'a'.repeat(64),
        size: 1,
        published_at: '2026-01-01T00:00:00.000Z',
        yanked: false,
      },
    },
  };
}

describe('assertListable', () => {
  it('accepts an entry a client reads in signed targets', () => {
    expect(() => assertListable(entry({ constraint: '>=1.0.0 <2.0.0' }))).not.toThrow();
  });

  it('refuses, with MANIFEST_INVALID and the protocol complaint, an entry that would make its signed targets unreadable', () => {
    const refused = (() => {
      try {
        assertListable(entry({ constraint: Array(40).fill('>=1.0.0').join(' || ') }));
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(PluginError.is(refused, 'MANIFEST_INVALID')).toBe(true);
    expect((refused as PluginError).message).toContain('version_constraint');
  });
});
