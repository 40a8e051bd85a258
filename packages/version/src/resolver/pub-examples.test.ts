import { describe, expect, it } from 'vitest';
import { type PluginVersionRecord, resolveDependenciesSync } from '../index';

// The worked examples of pub's solver documentation, which PubGrub must solve the same way.
const on = (plugin_id: string, version_constraint: string) => ({ plugin_id, version_constraint });

function solve(root: ReturnType<typeof on>[], available: PluginVersionRecord[]) {
  const result = resolveDependenciesSync({ dependencies: root }, available);
  if (!result.ok) throw new Error(result.explanation);
  return result.solution;
}

describe("pub's solver examples", () => {
  it('no conflicts', () => {
    expect(
      solve(
        [on('foo', '^1.0.0')],
        [
          { plugin_id: 'foo', version: '1.0.0', dependencies: [on('bar', '^1.0.0')] },
          { plugin_id: 'bar', version: '1.0.0' },
          { plugin_id: 'bar', version: '2.0.0' },
        ],
      ),
    ).toEqual({ foo: '1.0.0', bar: '1.0.0' });
  });

  it('avoiding conflict during decision making', () => {
    expect(
      solve(
        [on('foo', '^1.0.0'), on('bar', '^1.0.0')],
        [
          { plugin_id: 'foo', version: '1.1.0', dependencies: [on('bar', '^2.0.0')] },
          { plugin_id: 'foo', version: '1.0.0' },
          { plugin_id: 'bar', version: '1.0.0' },
          { plugin_id: 'bar', version: '1.1.0' },
          { plugin_id: 'bar', version: '2.0.0' },
        ],
      ),
    ).toEqual({ foo: '1.0.0', bar: '1.1.0' });
  });

  it('performing conflict resolution', () => {
    expect(
      solve(
        [on('foo', '>=1.0.0')],
        [
          { plugin_id: 'foo', version: '2.0.0', dependencies: [on('bar', '^1.0.0')] },
          { plugin_id: 'foo', version: '1.0.0' },
          { plugin_id: 'bar', version: '1.0.0', dependencies: [on('foo', '^1.0.0')] },
        ],
      ),
    ).toEqual({ foo: '1.0.0' });
  });

  it('conflict resolution with a partial satisfier', () => {
    expect(
      solve(
        [on('foo', '^1.0.0'), on('target', '^2.0.0')],
        [
          { plugin_id: 'foo', version: '1.1.0', dependencies: [on('left', '^1.0.0'), on('right', '^1.0.0')] },
          { plugin_id: 'foo', version: '1.0.0' },
          { plugin_id: 'left', version: '1.0.0', dependencies: [on('shared', '>=1.0.0')] },
          { plugin_id: 'right', version: '1.0.0', dependencies: [on('shared', '<2.0.0')] },
          { plugin_id: 'shared', version: '2.0.0' },
          { plugin_id: 'shared', version: '1.0.0', dependencies: [on('target', '^1.0.0')] },
          { plugin_id: 'target', version: '2.0.0' },
          { plugin_id: 'target', version: '1.0.0' },
        ],
      ),
    ).toEqual({ foo: '1.0.0', target: '2.0.0' });
  });
});
