import { describe, expect, it } from 'vitest';
import { type PluginVersionRecord, type ResolveResult, resolveDependenciesSync } from '../index';

const dependency = (plugin_id: string, version_constraint: string, optional = false) => ({
  plugin_id,
  version_constraint,
  optional,
});
const on = (plugin_id: string, version_constraint: string) => dependency(plugin_id, version_constraint);

function explanationOf(result: ResolveResult): string {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.solution)}`);
  return result.explanation;
}

describe('failure explanations (golden, in the style of pub)', () => {
  it('explains a linear conflict', () => {
    const available: PluginVersionRecord[] = [
      { plugin_id: 'foo', version: '1.0.0', dependencies: [dependency('bar', '^2.0.0')] },
      { plugin_id: 'bar', version: '2.0.0', dependencies: [dependency('baz', '^3.0.0')] },
      { plugin_id: 'baz', version: '1.0.0' },
      { plugin_id: 'baz', version: '3.0.0' },
    ];
    const result = resolveDependenciesSync(
      {
        plugin_id: 'app',
        version: '1.0.0',
        dependencies: [dependency('foo', '^1.0.0'), dependency('baz', '^1.0.0')],
      },
      available,
    );
    expect(explanationOf(result)).toBe(
      [
        'Because every version of foo depends on bar ^2.0.0 which depends on baz ^3.0.0, every version of foo requires baz ^3.0.0.',
        'So, because app depends on both foo ^1.0.0 and baz ^1.0.0, version solving failed.',
      ].join('\n'),
    );
    expect(result).toMatchObject({ code: 'DEPENDENCY_UNRESOLVED', plugins: ['app', 'bar', 'baz', 'foo'] });
  });

  it('explains a branching conflict with a numbered line referred to later', () => {
    const available: PluginVersionRecord[] = [
      {
        plugin_id: 'foo',
        version: '1.0.0',
        dependencies: [dependency('a', '^1.0.0'), dependency('b', '^1.0.0')],
      },
      {
        plugin_id: 'foo',
        version: '1.1.0',
        dependencies: [dependency('x', '^1.0.0'), dependency('y', '^1.0.0')],
      },
      { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('b', '^2.0.0')] },
      { plugin_id: 'b', version: '1.0.0' },
      { plugin_id: 'b', version: '2.0.0' },
      { plugin_id: 'x', version: '1.0.0', dependencies: [dependency('y', '^2.0.0')] },
      { plugin_id: 'y', version: '1.0.0' },
      { plugin_id: 'y', version: '2.0.0' },
    ];
    const result = resolveDependenciesSync({ dependencies: [dependency('foo', '^1.0.0')] }, available);
    expect(explanationOf(result)).toBe(
      [
        '    Because foo <1.1.0 depends on a ^1.0.0 which depends on b ^2.0.0, foo <1.1.0 requires b ^2.0.0.',
        '(1) So, because foo <1.1.0 depends on b ^1.0.0, foo <1.1.0 is forbidden.',
        '',
        '    Because foo >=1.1.0 depends on x ^1.0.0 which depends on y ^2.0.0, foo >=1.1.0 requires y ^2.0.0.',
        '    And because foo >=1.1.0 depends on y ^1.0.0, foo >=1.1.0 is forbidden.',
        '    And because foo <1.1.0 is forbidden (1), foo is forbidden.',
        '    So, because root depends on foo ^1.0.0, version solving failed.',
      ].join('\n'),
    );
  });

  it('names a missing plugin', () => {
    const result = resolveDependenciesSync({ dependencies: [dependency('com.example.a', '^1.0.0')] }, [
      {
        plugin_id: 'com.example.a',
        version: '1.0.0',
        dependencies: [dependency('com.example.gone', '>=2.0.0')],
      },
      {
        plugin_id: 'com.example.a',
        version: '1.1.0',
        dependencies: [dependency('com.example.gone', '>=2.0.0')],
      },
    ]);
    expect(explanationOf(result)).toBe(
      "Because root depends on com.example.a ^1.0.0 which depends on com.example.gone >=2.0.0 which doesn't exist, version solving failed.",
    );
    expect(result).toMatchObject({ plugins: ['com.example.a', 'com.example.gone'] });
  });

  it('names a constraint no version matches', () => {
    const result = resolveDependenciesSync({ dependencies: [dependency('b', '^3.0.0')] }, [['b', '1.0.0']]);
    expect(explanationOf(result)).toBe(
      "Because root depends on b ^3.0.0 which doesn't match any versions, version solving failed.",
    );
  });

  it('names the runtime bounds that exclude versions', () => {
    const result = resolveDependenciesSync(
      { dependencies: [dependency('a', '*')] },
      [
        { plugin_id: 'a', version: '0.9.0', dependencies: [dependency('b', '^1.0.0')] },
        { plugin_id: 'a', version: '1.0.0', min_runtime_version: '2.0.0' },
        { plugin_id: 'b', version: '1.0.0', max_runtime_version: '1.0.0' },
      ],
      { runtimeVersion: '1.5.0' },
    );
    expect(explanationOf(result)).toBe(
      [
        'The runtime version is 1.5.0.',
        '',
        'Because a <1.0.0 depends on b ^1.0.0 which requires runtime <=1.0.0, a <1.0.0 is forbidden.',
        'So, because a >=1.0.0 requires runtime >=2.0.0 and root depends on a *, version solving failed.',
      ].join('\n'),
    );
  });

  it('keeps "which ..." for the same plugin (regression found by fuzzing)', () => {
    const result = resolveDependenciesSync(
      { dependencies: [on('p0', '<2.0.0'), on('p3', '>=1.0.0,<2.0.0'), on('p2', '^2.0.0')] },
      [
        { plugin_id: 'p0', version: '1.1.0', dependencies: [] },
        {
          plugin_id: 'p0',
          version: '2.1.0',
          dependencies: [on('p3', '^1.0.0'), on('p2', '*'), on('p1', '1.0.0')],
        },
        {
          plugin_id: 'p1',
          version: '1.1.0',
          dependencies: [on('p0', '>=1.1.0'), on('p2', '<2.0.0'), on('p3', '>=1.0.0,<2.0.0')],
        },
        { plugin_id: 'p1', version: '1.0.0', dependencies: [on('p0', '1.0.0')] },
        {
          plugin_id: 'p1',
          version: '2.0.0',
          dependencies: [on('p3', '^1.0.0'), on('p2', '<2.0.0'), on('p0', '*')],
        },
        { plugin_id: 'p2', version: '1.0.0', dependencies: [on('p0', '>=1.1.0'), on('p3', '<2.0.0')] },
        { plugin_id: 'p2', version: '2.0.0', dependencies: [on('p0', '<2.0.0')] },
        { plugin_id: 'p3', version: '1.0.0', dependencies: [on('p0', '>=1.0.0,<2.0.0'), on('p1', '<2.0.0')] },
        { plugin_id: 'p3', version: '2.1.0', dependencies: [] },
        { plugin_id: 'p3', version: '1.1.0', dependencies: [on('p0', '*'), on('p1', '*')] },
      ],
    );
    expect(explanationOf(result)).toBe(
      [
        'Because p3 <1.1.0 depends on p1 <2.0.0 and p3 1.1.0 depends on p1 *, p3 <2.1.0 requires p1 *.',
        "Because p1 <1.1.0 depends on p0 1.0.0 which doesn't match any versions and p1 >=1.1.0 depends on p2 <2.0.0, every version of p1 requires p2 <2.0.0.",
        'Thus, p3 <2.1.0 requires p2 <2.0.0.',
        'So, because root depends on both p3 >=1.0.0,<2.0.0 and p2 ^2.0.0, version solving failed.',
      ].join('\n'),
    );
  });

  it('says "depends on both" only for the same versions of a plugin (regression found by fuzzing)', () => {
    const result = resolveDependenciesSync(
      { dependencies: [on('p1', '>=1.0.0,<2.0.0'), on('p0', '>=1.0.0,<2.0.0')] },
      [
        { plugin_id: 'p0', version: '2.0.0', dependencies: [] },
        { plugin_id: 'p0', version: '2.1.0', dependencies: [on('p1', '>=1.1.0')] },
        { plugin_id: 'p0', version: '1.0.0', dependencies: [on('p1', '^2.0.0')] },
        { plugin_id: 'p0', version: '1.1.0', dependencies: [on('p3', '1.0.0'), on('p1', '1.0.0')] },
        {
          plugin_id: 'p1',
          version: '1.0.0',
          dependencies: [on('p2', '^1.0.0'), on('p0', '^1.0.0'), on('p3', '*')],
        },
        { plugin_id: 'p1', version: '1.1.0', dependencies: [on('p3', '^2.0.0')] },
        { plugin_id: 'p1', version: '2.0.0', dependencies: [] },
        { plugin_id: 'p2', version: '2.0.0', dependencies: [] },
        {
          plugin_id: 'p2',
          version: '1.1.0',
          dependencies: [on('p3', '>=1.1.0'), on('p1', '1.0.0'), on('p0', '<2.0.0')],
        },
        {
          plugin_id: 'p2',
          version: '1.0.0',
          dependencies: [on('p3', '^2.0.0'), on('p1', '^2.0.0'), on('p0', '^1.0.0')],
        },
        { plugin_id: 'p2', version: '2.1.0', dependencies: [on('p3', '^1.0.0'), on('p0', '^2.0.0')] },
        { plugin_id: 'p3', version: '1.0.0', dependencies: [on('p0', '^1.0.0'), on('p1', '1.0.0')] },
        { plugin_id: 'p3', version: '2.1.0', dependencies: [on('p0', '^2.0.0'), on('p2', '1.0.0')] },
      ],
    );
    expect(explanationOf(result)).toBe(
      [
        'Because p1 <1.1.0 depends on p2 ^1.0.0 which depends on p3 >=1.1.0, p1 <1.1.0 requires p3 >=1.1.0.',
        'And because p0 1.1.0 depends on p3 1.0.0, p1 <1.1.0 is incompatible with p0 1.1.0.',
        'And because p0 1.1.0 depends on p1 1.0.0 and p0 <1.1.0 depends on p1 ^2.0.0, p0 <2.0.0 requires p1 ^2.0.0.',
        'So, because root depends on both p1 >=1.0.0,<2.0.0 and p0 >=1.0.0,<2.0.0, version solving failed.',
      ].join('\n'),
    );
  });

  it('explains 500 versions depending on a missing plugin in one line, fast', () => {
    const available = Array.from({ length: 500 }, (_, index) => ({
      plugin_id: 'a',
      version: `1.${index}.0`,
      dependencies: [dependency('nowhere', '^1.0.0')],
    }));
    const started = performance.now();
    const result = resolveDependenciesSync({ dependencies: [dependency('a', '^1.0.0')] }, available);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(explanationOf(result)).toBe(
      "Because root depends on a ^1.0.0 which depends on nowhere ^1.0.0 which doesn't exist, version solving failed.",
    );
  });
});
