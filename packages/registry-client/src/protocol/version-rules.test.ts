import { getLatestVersion } from '@agentplug/version';
import { describe, expect, it } from 'vitest';
import type { IndexVersionEntry } from './marketplace-index';
import { searchIndex } from './search-index';
import { pickLatestVersion } from './version-rules';

function versionsOf(...list: (string | [string, { yanked: boolean }])[]): Record<string, IndexVersionEntry> {
  const versions: Record<string, IndexVersionEntry> = {};
  for (const item of list) {
    const [version, extra] = typeof item === 'string' ? [item, { yanked: false }] : item;
    versions[version] = {
      version,
      dependencies: [],
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
      sha256: '0'.repeat(64),
      size: 1,
      published_at: '2026-01-01T00:00:00.000Z',
      ...extra,
    };
  }
  return versions;
}

describe('the one "latest version" rule', () => {
  it('is @agentplug/version getLatestVersion: releases first, a prerelease only when asked or when nothing else qualifies', () => {
    const versions = versionsOf('1.5.0', '2.0.0-rc.1');
    expect(getLatestVersion(['1.5.0', '2.0.0-rc.1'])).toBe('1.5.0');
    expect(pickLatestVersion(versions)?.version).toBe('1.5.0');
    expect(pickLatestVersion(versions, { includePrerelease: true })?.version).toBe('2.0.0-rc.1');
    expect(pickLatestVersion(versionsOf(['1.5.0', { yanked: true }], '2.0.0-rc.1'))?.version).toBe(
      '2.0.0-rc.1',
    );
    expect(pickLatestVersion(versionsOf('2.0.0-rc.1', '2.0.0-rc.2'))?.version).toBe('2.0.0-rc.2');
    expect(pickLatestVersion(versions, { range: '>=2.0.0-rc.0' })?.version).toBe('2.0.0-rc.1');
    const plugin = {
      plugin_id: 'com.example.a',
      name: 'a',
      description: '',
      plugin_type: 'tool' as const,
      tags: [],
      author: 'x',
      downloads: 0,
      rating: 0,
      rating_count: 0,
      versions,
    };
    expect(searchIndex({ plugins: { 'com.example.a': plugin } }, {})[0]?.version).toBe('1.5.0');
  });
});
