import type { PluginStatus } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { isTransitionAllowed, LIFECYCLE_TRANSITIONS } from './transitions';

const ALL_STATUSES: PluginStatus[] = [
  'unloaded',
  'loading',
  'loaded',
  'active',
  'inactive',
  'failed',
  'unloading',
];

describe('the transition table', () => {
  it('is the seed diagram', () => {
    const allowed = ALL_STATUSES.flatMap((from) =>
      ALL_STATUSES.filter((to) => isTransitionAllowed(from, to)).map((to) => `${from}->${to}`),
    );
    expect(allowed).toEqual([
      'unloaded->loading',
      'loading->loaded',
      'loading->failed',
      'loaded->active',
      'loaded->inactive',
      'loaded->failed',
      'loaded->unloading',
      'active->inactive',
      'active->failed',
      'inactive->active',
      'inactive->failed',
      'inactive->unloading',
      'failed->unloading',
      'unloading->unloaded',
      'unloading->failed',
    ]);
    expect(Object.keys(LIFECYCLE_TRANSITIONS).sort()).toEqual([...ALL_STATUSES].sort());
  });
});
