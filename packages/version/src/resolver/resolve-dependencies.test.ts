import { PluginError, type PluginErrorCode, parseManifest } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import {
  assertResolved,
  type PluginVersionRecord,
  type ResolveResult,
  resolveDependencies,
  resolveDependenciesSync,
} from '../index';

const dependency = (plugin_id: string, version_constraint = '*', optional = false) => ({
  plugin_id,
  version_constraint,
  optional,
});

function success(result: ResolveResult) {
  if (!result.ok) throw new Error(`expected a solution, got:\n${result.explanation}`);
  return result;
}

async function codeOf(action: () => unknown): Promise<PluginErrorCode | undefined> {
  try {
    await action();
  } catch (error) {
    if (PluginError.is(error)) return error.code;
    throw error;
  }
  return undefined;
}

describe('resolveDependencies', () => {
  it("resolves the seed's example with (plugin_id, version) pairs, newest first", async () => {
    const result = await resolveDependencies(
      { dependencies: [dependency('com.example.mathlib', '>=2.0.0'), dependency('com.example.utils', '*')] },
      [
        ['com.example.mathlib', '2.0.0'],
        ['com.example.mathlib', '2.1.0'],
        ['com.example.utils', '1.0.0'],
      ],
    );
    expect(result).toEqual({
      ok: true,
      solution: { 'com.example.mathlib': '2.1.0', 'com.example.utils': '1.0.0' },
      order: ['com.example.mathlib', 'com.example.utils'],
      warnings: [],
    });
  });

  it('orders dependencies before dependents and puts a root with an id last', () => {
    const result = success(
      resolveDependenciesSync(
        { plugin_id: 'app', version: '1.0.0', dependencies: [dependency('a'), dependency('d')] },
        [
          { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('b')] },
          { plugin_id: 'b', version: '1.0.0', dependencies: [dependency('c')] },
          { plugin_id: 'c', version: '1.0.0' },
          { plugin_id: 'd', version: '1.0.0', dependencies: [dependency('c')] },
        ],
      ),
    );
    expect(result.order).toEqual(['c', 'b', 'a', 'd', 'app']);
    expect(result.solution).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.0.0', d: '1.0.0', app: '1.0.0' });
  });

  it('accepts parsed manifests as the root and as available versions', () => {
    const manifest = (plugin_id: string, version: string, dependencies: unknown[] = []) =>
      parseManifest({
        plugin_id,
        version,
        name: plugin_id,
        description: '',
        author: 'someone',
        plugin_type: 'tool',
        entry_point: 'main',
        dependencies,
      });
    const root = manifest('com.example.app', '1.0.0', [
      { plugin_id: 'com.example.lib', version_constraint: '^1.0.0' },
    ]);
    const result = success(
      resolveDependenciesSync(root, [
        manifest('com.example.lib', '1.0.0'),
        manifest('com.example.lib', '1.4.0'),
        manifest('com.example.lib', '2.0.0'),
      ]),
    );
    expect(result.solution).toEqual({ 'com.example.lib': '1.4.0', 'com.example.app': '1.0.0' });
    expect(result.order).toEqual(['com.example.lib', 'com.example.app']);
  });

  it('backtracks to an older version when the newest conflicts', () => {
    const result = success(
      resolveDependenciesSync({ dependencies: [dependency('a'), dependency('b')] }, [
        { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('c', '^1.0.0')] },
        { plugin_id: 'a', version: '2.0.0', dependencies: [dependency('c', '^2.0.0')] },
        { plugin_id: 'b', version: '1.0.0', dependencies: [dependency('c', '^1.0.0')] },
        { plugin_id: 'c', version: '1.3.0' },
        { plugin_id: 'c', version: '2.0.0' },
      ]),
    );
    expect(result.solution).toEqual({ a: '1.0.0', b: '1.0.0', c: '1.3.0' });
  });

  it('excludes versions outside the runtime bounds', () => {
    const available: PluginVersionRecord[] = [
      { plugin_id: 'a', version: '1.0.0', min_runtime_version: '1.0.0' },
      { plugin_id: 'a', version: '2.0.0', min_runtime_version: '3.0.0' },
      { plugin_id: 'a', version: '3.0.0', max_runtime_version: '1.0.0' },
    ];
    const result = success(
      resolveDependenciesSync({ dependencies: [dependency('a')] }, available, { runtimeVersion: '2.0.0' }),
    );
    expect(result.solution).toEqual({ a: '1.0.0' });
    expect(success(resolveDependenciesSync({ dependencies: [dependency('a')] }, available)).solution).toEqual(
      { a: '3.0.0' },
    );
  });

  it('checks the root against the runtime too', () => {
    const result = resolveDependenciesSync(
      { plugin_id: 'app', version: '1.0.0', min_runtime_version: '9.0.0' },
      [],
      {
        runtimeVersion: '1.0.0',
      },
    );
    expect(result).toMatchObject({ ok: false, code: 'DEPENDENCY_UNRESOLVED' });
  });

  it('excludes prereleases unless a constraint names one', () => {
    const available = [
      ['a', '1.0.0'],
      ['a', '1.1.0-beta.1'],
    ] as const;
    expect(success(resolveDependenciesSync({ dependencies: [dependency('a')] }, available)).solution).toEqual(
      { a: '1.0.0' },
    );
    expect(
      success(resolveDependenciesSync({ dependencies: [dependency('a', '>=1.1.0-beta.0')] }, available))
        .solution,
    ).toEqual({ a: '1.1.0-beta.1' });
  });

  it('keeps the first of two records with the same version', () => {
    const result = success(
      resolveDependenciesSync({ dependencies: [dependency('a')] }, [
        { plugin_id: 'a', version: '1.0.0+first' },
        { plugin_id: 'a', version: '1.0.0+second', dependencies: [dependency('missing')] },
      ]),
    );
    expect(result.solution).toEqual({ a: '1.0.0+first' });
  });

  it('reports a dependency cycle, naming it, with the selection', () => {
    const result = resolveDependenciesSync({ dependencies: [dependency('a')] }, [
      { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('b', '^1.0.0')] },
      { plugin_id: 'b', version: '1.0.0', dependencies: [dependency('c', '*')] },
      { plugin_id: 'c', version: '1.0.0', dependencies: [dependency('b', '>=1.0.0')] },
    ]);
    expect(result).toMatchObject({
      ok: false,
      code: 'DEPENDENCY_CYCLE',
      cycle: ['b', 'c', 'b'],
      plugins: ['b', 'c'],
      solution: { a: '1.0.0', b: '1.0.0', c: '1.0.0' },
    });
    expect(!result.ok && result.explanation).toBe(
      'The selected plugins depend on each other in a cycle: b -> c -> b (b 1.0.0 depends on c *, c 1.0.0 depends on b >=1.0.0). A plugin cannot be loaded before itself; remove one of these dependencies.',
    );
    expect(() => assertResolved(result)).toThrowError(/cycle: b -> c -> b/);
    try {
      assertResolved(result);
    } catch (error) {
      expect(PluginError.is(error, 'DEPENDENCY_CYCLE')).toBe(true);
    }
  });

  it('reports a cycle through a root that has an id', () => {
    const result = resolveDependenciesSync(
      { plugin_id: 'app', version: '1.0.0', dependencies: [dependency('a')] },
      [
        { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('app', '^1.0.0')] },
        { plugin_id: 'app', version: '2.0.0' },
      ],
    );
    expect(result).toMatchObject({ ok: false, code: 'DEPENDENCY_CYCLE', cycle: ['app', 'a', 'app'] });
  });

  it('holds a root with an id to its own version', () => {
    const result = resolveDependenciesSync(
      { plugin_id: 'app', version: '1.0.0', dependencies: [dependency('a')] },
      [
        { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('app', '^2.0.0')] },
        { plugin_id: 'app', version: '2.0.0' },
      ],
    );
    expect(!result.ok && result.explanation).toBe(
      "Because app depends on a * which depends on app ^2.0.0 which doesn't match any versions, version solving failed.",
    );
  });

  it('treats a root with an id but no version as a name only', () => {
    const result = success(
      resolveDependenciesSync({ plugin_id: 'app', dependencies: [dependency('a')] }, [
        { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('app', '^2.0.0')] },
        { plugin_id: 'app', version: '2.0.0' },
      ]),
    );
    expect(result.solution).toEqual({ app: '2.0.0', a: '1.0.0' });
    const failure = resolveDependenciesSync({ plugin_id: 'app', dependencies: [dependency('b')] }, []);
    expect(!failure.ok && failure.explanation).toBe(
      "Because app depends on b * which doesn't exist, version solving failed.",
    );
  });

  it('assertResolved returns a success and throws DEPENDENCY_UNRESOLVED with the explanation', async () => {
    expect(assertResolved(resolveDependenciesSync({ dependencies: [] }, []))).toEqual({
      ok: true,
      solution: {},
      order: [],
      warnings: [],
    });
    const failure = resolveDependenciesSync({ dependencies: [dependency('a')] }, []);
    expect(await codeOf(() => assertResolved(failure))).toBe('DEPENDENCY_UNRESOLVED');
    expect(() => assertResolved(failure)).toThrowError("Because root depends on a * which doesn't exist");
  });

  describe('optional dependencies', () => {
    it('uses an optional dependency when a compatible version exists, loading it first', () => {
      const result = success(
        resolveDependenciesSync({ dependencies: [dependency('a')] }, [
          { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('extra', '^1.0.0', true)] },
          { plugin_id: 'extra', version: '1.2.0' },
        ]),
      );
      expect(result).toEqual({
        ok: true,
        solution: { extra: '1.2.0', a: '1.0.0' },
        order: ['extra', 'a'],
        warnings: [],
      });
    });

    it('leaves out a missing, unmatched or runtime-incompatible optional dependency with a warning', () => {
      const result = success(
        resolveDependenciesSync(
          {
            dependencies: [
              dependency('gone', '*', true),
              dependency('old', '^2.0.0', true),
              dependency('future', '*', true),
            ],
          },
          [
            { plugin_id: 'old', version: '1.0.0' },
            { plugin_id: 'future', version: '1.0.0', min_runtime_version: '5.0.0' },
          ],
          { runtimeVersion: '1.0.0' },
        ),
      );
      expect(result.solution).toEqual({});
      expect(result.warnings).toEqual([
        'Optional dependency gone * of root was left out: gone is not available.',
        'Optional dependency old ^2.0.0 of root was left out: no version of old matches ^2.0.0.',
        'Optional dependency future * of root was left out: no matching version of future supports runtime 1.0.0.',
      ]);
    });

    it('leaves out an optional dependency that conflicts with required ones', () => {
      const result = success(
        resolveDependenciesSync({ dependencies: [dependency('a'), dependency('b')] }, [
          { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('c', '^2.0.0', true)] },
          { plugin_id: 'b', version: '1.0.0', dependencies: [dependency('d', '^1.0.0')] },
          { plugin_id: 'c', version: '2.0.0', dependencies: [dependency('d', '^2.0.0')] },
          { plugin_id: 'd', version: '1.0.0' },
          { plugin_id: 'd', version: '2.0.0' },
        ]),
      );
      expect(result.solution).toEqual({ a: '1.0.0', b: '1.0.0', d: '1.0.0' });
      expect(result.warnings).toEqual([
        'Optional dependency c ^2.0.0 of a 1.0.0 was left out: it conflicts with the other dependencies.',
      ]);
    });
  });

  describe('sources', () => {
    const records: Record<string, PluginVersionRecord[]> = {
      a: [{ plugin_id: 'a', version: '1.0.0', dependencies: [dependency('b'), dependency('c')] }],
      b: [{ plugin_id: 'b', version: '1.0.0', dependencies: [dependency('c')] }],
      c: [{ plugin_id: 'c', version: '1.0.0' }],
    };

    it('asks an async getVersions once per plugin', async () => {
      const asked: string[] = [];
      const result = await resolveDependencies(
        { dependencies: [dependency('a')] },
        {
          getVersions: async (pluginId) => {
            asked.push(pluginId);
            return records[pluginId];
          },
        },
      );
      expect(success(result).order).toEqual(['c', 'b', 'a']);
      expect(asked.sort()).toEqual(['a', 'b', 'c']);
    });

    it('uses a sync getVersions in both forms, and records without plugin_id', async () => {
      const source = {
        getVersions: (pluginId: string) =>
          records[pluginId]?.map(({ plugin_id: _omitted, ...rest }) => rest as PluginVersionRecord),
      };
      expect(success(resolveDependenciesSync({ dependencies: [dependency('a')] }, source)).order).toEqual([
        'c',
        'b',
        'a',
      ]);
      expect(success(await resolveDependencies({ dependencies: [dependency('a')] }, source)).order).toEqual([
        'c',
        'b',
        'a',
      ]);
    });

    it('treats undefined or null from getVersions as a missing plugin', async () => {
      const result = await resolveDependencies(
        { dependencies: [dependency('a')] },
        { getVersions: () => null },
      );
      expect(result).toMatchObject({ ok: false, code: 'DEPENDENCY_UNRESOLVED', plugins: ['a'] });
    });

    it('passes a PluginError from getVersions through and wraps anything else', async () => {
      const network = new PluginError('NETWORK_ERROR', 'marketplace down');
      expect(
        await codeOf(() =>
          resolveDependencies(
            { dependencies: [dependency('a')] },
            { getVersions: () => Promise.reject(network) },
          ),
        ),
      ).toBe('NETWORK_ERROR');
      const failure = await resolveDependencies(
        { dependencies: [dependency('a')] },
        {
          getVersions: () => {
            throw new TypeError('boom');
          },
        },
      ).catch((error: unknown) => error);
      expect(PluginError.is(failure, 'INVALID_ARGUMENT')).toBe(true);
      expect((failure as PluginError).message).toBe('getVersions("a") failed: boom');
      expect((failure as PluginError).cause).toBeInstanceOf(TypeError);
    });

    it('refuses an async source in resolveDependenciesSync', async () => {
      expect(
        await codeOf(() =>
          resolveDependenciesSync(
            { dependencies: [dependency('a')] },
            { getVersions: async () => records.a },
          ),
        ),
      ).toBe('INVALID_ARGUMENT');
    });
  });

  describe('malformed input', () => {
    const root = { dependencies: [dependency('a')] };
    it.each<[string, () => unknown, PluginErrorCode]>([
      [
        'available is not a list or source',
        () => resolveDependenciesSync(root, 42 as never),
        'INVALID_ARGUMENT',
      ],
      ['available is null', () => resolveDependenciesSync(root, null as never), 'INVALID_ARGUMENT'],
      ['root is not an object', () => resolveDependenciesSync('app' as never, []), 'INVALID_ARGUMENT'],
      ['root plugin_id is empty', () => resolveDependenciesSync({ plugin_id: '' }, []), 'INVALID_ARGUMENT'],
      [
        'root version is invalid',
        () => resolveDependenciesSync({ plugin_id: 'app', version: '1' }, []),
        'INVALID_VERSION',
      ],
      [
        'runtimeVersion is invalid',
        () => resolveDependenciesSync(root, [], { runtimeVersion: 'v2' }),
        'INVALID_VERSION',
      ],
      [
        'dependencies is not an array',
        () => resolveDependenciesSync({ dependencies: 'a' as never }, []),
        'INVALID_ARGUMENT',
      ],
      [
        'a dependency is not an object',
        () => resolveDependenciesSync({ dependencies: ['a' as never] }, []),
        'INVALID_ARGUMENT',
      ],
      [
        'a dependency has no plugin_id',
        () => resolveDependenciesSync({ dependencies: [{ version_constraint: '*' } as never] }, []),
        'INVALID_ARGUMENT',
      ],
      [
        'a constraint is invalid',
        () => resolveDependenciesSync({ dependencies: [dependency('a', '>= banana')] }, []),
        'INVALID_CONSTRAINT',
      ],
      [
        'optional is not a boolean',
        () => resolveDependenciesSync({ dependencies: [{ plugin_id: 'a', optional: 'yes' } as never] }, []),
        'INVALID_ARGUMENT',
      ],
      [
        'a dependency is listed twice',
        () => resolveDependenciesSync({ dependencies: [dependency('a'), dependency('a', '^1.0.0')] }, []),
        'INVALID_ARGUMENT',
      ],
      [
        'a plugin depends on itself',
        () =>
          resolveDependenciesSync(root, [
            { plugin_id: 'a', version: '1.0.0', dependencies: [dependency('a')] },
          ]),
        'INVALID_ARGUMENT',
      ],
      [
        'an available entry has no id',
        () => resolveDependenciesSync(root, [{ version: '1.0.0' } as never]),
        'INVALID_ARGUMENT',
      ],
      [
        'a pair has three items',
        () => resolveDependenciesSync(root, [['a', '1.0.0', 'x'] as never]),
        'INVALID_ARGUMENT',
      ],
      ['a version is invalid', () => resolveDependenciesSync(root, [['a', '1.0']]), 'INVALID_VERSION'],
      [
        'a runtime bound is invalid',
        () =>
          resolveDependenciesSync(root, [{ plugin_id: 'a', version: '1.0.0', min_runtime_version: 'one' }]),
        'INVALID_VERSION',
      ],
      [
        'min_runtime_version is above max_runtime_version',
        () =>
          resolveDependenciesSync(root, [
            { plugin_id: 'a', version: '1.0.0', min_runtime_version: '2.0.0', max_runtime_version: '1.0.0' },
          ]),
        'MANIFEST_INVALID',
      ],
      [
        'getVersions returns a record of another plugin',
        () => resolveDependenciesSync(root, { getVersions: () => [{ plugin_id: 'b', version: '1.0.0' }] }),
        'INVALID_ARGUMENT',
      ],
      [
        'getVersions returns something else than a list',
        () => resolveDependenciesSync(root, { getVersions: () => ({ version: '1.0.0' }) as never }),
        'INVALID_ARGUMENT',
      ],
    ])('throws when %s', async (_name, action, code) => {
      expect(await codeOf(action)).toBe(code);
    });

    it('rejects (not throws synchronously) from the async form', async () => {
      const pending = resolveDependencies(root, 42 as never);
      await expect(pending).rejects.toSatisfy((error: unknown) => PluginError.is(error, 'INVALID_ARGUMENT'));
    });

    it('names the plugin, version and dependency in a malformed-record message', () => {
      expect(() =>
        resolveDependenciesSync(root, [
          { plugin_id: 'a', version: '1.2.0', dependencies: [dependency('b', '^^1')] },
        ]),
      ).toThrowError(/^a 1\.2\.0: dependency "b": Invalid version constraint "\^\^1"/);
    });
  });
});
