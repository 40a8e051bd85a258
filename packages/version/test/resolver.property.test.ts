import type { PluginDependency } from '@agentplug/models';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRuntimeCompatibility,
  type PluginVersionRecord,
  type ResolveResult,
  resolveDependenciesSync,
  satisfiesConstraint,
} from '../src/index';

// Small random registries, checked against a brute-force oracle that tries every selection.
const PLUGINS = ['p0', 'p1', 'p2', 'p3'];
const MISSING = 'p9';
const VERSIONS = ['1.0.0', '1.1.0', '2.0.0', '2.1.0-beta.1'];
const CONSTRAINTS = [
  '*',
  '^1.0.0',
  '^2.0.0',
  '>=1.1.0',
  '<2.0.0',
  '1.0.0',
  '>=1.0.0,<2.0.0',
  '^2.1.0-beta.0',
  '^1.0.0 || ^2.0.0',
];
const BOUNDS = ['*', '1.0.0', '2.0.0'];
const RUNTIME = '1.5.0';

type Dependency = PluginDependency;
interface Registry {
  root: Dependency[];
  available: PluginVersionRecord[];
}

const dependenciesArbitrary = (owner: string | undefined, optional: boolean) =>
  fc
    .uniqueArray(
      fc.record({
        plugin_id: fc.constantFrom(...[...PLUGINS, MISSING].filter((id) => id !== owner)),
        version_constraint: fc.constantFrom(...CONSTRAINTS),
        optional: optional ? fc.boolean() : fc.constant(false),
      }),
      { maxLength: 3, selector: (dependency) => dependency.plugin_id },
    )
    .map((list) => list as Dependency[]);

const registryArbitrary = (optional: boolean): fc.Arbitrary<Registry> =>
  fc.record({
    root: dependenciesArbitrary(undefined, optional),
    available: fc
      .tuple(
        ...PLUGINS.map((pluginId) =>
          fc.uniqueArray(
            fc.record({
              plugin_id: fc.constant(pluginId),
              version: fc.constantFrom(...VERSIONS),
              dependencies: dependenciesArbitrary(pluginId, optional),
              min_runtime_version: fc.constantFrom(...BOUNDS),
              max_runtime_version: fc.constantFrom('*', '2.0.0', '1.0.0'),
            }),
            { maxLength: 3, selector: (record) => record.version },
          ),
        ),
      )
      .map((lists) =>
        lists
          .flat()
          .filter(
            (record) =>
              record.min_runtime_version === '*' ||
              record.max_runtime_version === '*' ||
              record.min_runtime_version <= record.max_runtime_version,
          ),
      ),
  });

/** Whether some selection (each plugin absent or at one version) satisfies every required constraint. */
function oracleSolvable(registry: Registry): boolean {
  const byPlugin = PLUGINS.map((pluginId) =>
    registry.available.filter(
      (record) => record.plugin_id === pluginId && checkRuntimeCompatibility(record, RUNTIME),
    ),
  );
  const choice: (PluginVersionRecord | undefined)[] = [];
  const satisfied = (dependencies: readonly Dependency[]) =>
    dependencies.every((dependency) => {
      if (dependency.optional) return true;
      const selected = choice[PLUGINS.indexOf(dependency.plugin_id)];
      return selected !== undefined && satisfiesConstraint(selected.version, dependency.version_constraint);
    });
  const search = (index: number): boolean => {
    if (index === PLUGINS.length) {
      return (
        satisfied(registry.root) &&
        choice.every(
          (record) => record === undefined || satisfied((record.dependencies ?? []) as Dependency[]),
        )
      );
    }
    for (const option of [undefined, ...byPlugin[index]!]) {
      choice[index] = option;
      if (search(index + 1)) return true;
    }
    return false;
  };
  return search(0);
}

function resolve(registry: Registry): ResolveResult {
  return resolveDependenciesSync({ dependencies: registry.root }, registry.available, {
    runtimeVersion: RUNTIME,
  });
}

function solvable(result: ResolveResult): boolean {
  return result.ok || result.code === 'DEPENDENCY_CYCLE';
}

/** Checks every constraint and runtime bound against a returned selection. */
function checkSolution(
  registry: Registry,
  solution: Record<string, string>,
  warnings: readonly string[],
): void {
  const recordOf = (pluginId: string) =>
    registry.available.find(
      (record) => record.plugin_id === pluginId && record.version === solution[pluginId],
    );
  const check = (owner: string, dependencies: readonly Dependency[]) => {
    for (const dependency of dependencies) {
      const selected = solution[dependency.plugin_id];
      const fine = selected !== undefined && satisfiesConstraint(selected, dependency.version_constraint);
      if (dependency.optional && !fine) {
        expect(
          warnings.some((warning) => warning.includes(`Optional dependency ${dependency.plugin_id} `)),
        ).toBe(true);
        continue;
      }
      expect(fine, `${owner} needs ${dependency.plugin_id} ${dependency.version_constraint}`).toBe(true);
    }
  };
  check('root', registry.root);
  for (const pluginId of Object.keys(solution)) {
    const record = recordOf(pluginId);
    expect(record, `${pluginId} ${solution[pluginId]} is available`).toBeDefined();
    expect(checkRuntimeCompatibility(record!, RUNTIME)).toBe(true);
    check(pluginId, (record!.dependencies ?? []) as Dependency[]);
  }
}

const RUNS = { numRuns: 300, seed: 20_261_124 } as const;

describe('resolveDependencies against a brute-force oracle', () => {
  it('finds a solution exactly when one exists, and every solution satisfies every constraint', () => {
    fc.assert(
      fc.property(registryArbitrary(false), (registry) => {
        const result = resolve(registry);
        expect(solvable(result)).toBe(oracleSolvable(registry));
        if (result.ok) {
          checkSolution(registry, result.solution, result.warnings);
          expect(result.order.sort()).toEqual(Object.keys(result.solution).sort());
        } else if (result.code === 'DEPENDENCY_CYCLE') {
          checkSolution(registry, result.solution!, []);
        } else {
          expect(result.explanation).toMatch(/version solving failed\.$/);
          for (const pluginId of result.plugins) expect(result.explanation).toContain(pluginId);
        }
      }),
      RUNS,
    );
  });

  it('with optional dependencies: solvable exactly when the required ones are, optional ones kept or warned about', () => {
    fc.assert(
      fc.property(registryArbitrary(true), (registry) => {
        const result = resolve(registry);
        expect(solvable(result)).toBe(oracleSolvable(registry));
        if (result.ok) checkSolution(registry, result.solution, result.warnings);
      }),
      RUNS,
    );
  });

  it('is deterministic, also when the available versions come in another order', () => {
    fc.assert(
      fc.property(registryArbitrary(true), fc.integer({ min: 0, max: 1_000 }), (registry, salt) => {
        const first = resolve(registry);
        expect(resolve(registry)).toEqual(first);
        const shuffled = registry.available
          .map((record, index) => ({ record, key: (index * 7919 + salt) % 1_009 }))
          .sort((left, right) => left.key - right.key)
          .map((item) => item.record);
        expect(resolve({ root: registry.root, available: shuffled })).toEqual(first);
      }),
      RUNS,
    );
  });

  it('never turns a solvable graph unsolvable when a dependency is removed', () => {
    fc.assert(
      fc.property(registryArbitrary(false), fc.nat(), (registry, pick) => {
        fc.pre(solvable(resolve(registry)));
        const owners = registry.available.filter((record) => (record.dependencies ?? []).length > 0);
        fc.pre(owners.length > 0 || registry.root.length > 0);
        let smaller: Registry;
        if (owners.length === 0 || pick % (owners.length + 1) === owners.length) {
          smaller = {
            root: registry.root.filter((_, index) => index !== pick % registry.root.length),
            available: registry.available,
          };
        } else {
          const owner = owners[pick % owners.length]!;
          const dependencies = owner.dependencies ?? [];
          const without = dependencies.filter((_, index) => index !== pick % dependencies.length);
          smaller = {
            root: registry.root,
            available: registry.available.map((record) =>
              record === owner ? { ...record, dependencies: without } : record,
            ),
          };
        }
        expect(solvable(resolve(smaller))).toBe(true);
      }),
      RUNS,
    );
  });
});
