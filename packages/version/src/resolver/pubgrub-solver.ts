import { PluginError } from '@agentplug/models';
import { createIncompatibility, type Incompatibility, isFailure } from './incompatibility';
import {
  constraintSet,
  type LoadedDependency,
  type LoadedVersion,
  type PackageUniverse,
} from './package-universe';
import { PartialSolution } from './partial-solution';
import { createTerm, differenceOfTerms, negateTerm, type Term } from './term';
import { VersionSet } from './version-set';

/** What the solver ends with: the decided version of each plugin, or the incompatibility that proves failure. */
export type SolverOutcome =
  | { readonly ok: true; readonly decisions: ReadonlyMap<string, number> }
  | { readonly ok: false; readonly incompatibility: Incompatibility };

/** Plugin ids whose versions the solver needs before it can go on. */
export type SolverRequest = readonly string[];

class SolveFailure {
  readonly incompatibility: Incompatibility;
  constructor(incompatibility: Incompatibility) {
    this.incompatibility = incompatibility;
  }
}

/** Key of an optional dependency that resolution gave up on: dependent and dependency ids. */
export function optionalKey(dependentId: string, dependencyId: string): string {
  return `${dependentId}\u0000${dependencyId}`;
}

/**
 * PubGrub (as in pub's solver documentation): unit propagation over incompatibilities,
 * conflict resolution that learns a new incompatibility and backjumps, and decisions that
 * prefer the newest allowed version. It runs as a generator that yields the plugin ids whose
 * versions it needs, so one implementation serves sync and async sources.
 */
export class PubGrubSolver {
  readonly rootId: string;
  readonly universes: Map<string, PackageUniverse> = new Map();
  readonly #incompatibilities = new Map<string, Incompatibility[]>();
  readonly #solution = new PartialSolution();
  readonly #covered = new Map<string, VersionSet>();
  readonly #droppedOptional: ReadonlySet<string>;

  constructor(root: PackageUniverse, droppedOptional: ReadonlySet<string>) {
    this.rootId = root.id;
    this.#droppedOptional = droppedOptional;
    this.addUniverse(root);
  }

  /** Adds the versions of a plugin; the solver asked for them. */
  addUniverse(universe: PackageUniverse): void {
    this.universes.set(universe.id, universe);
    const groups = new Map<
      string,
      { min?: string | undefined; max?: string | undefined; indexes: number[] }
    >();
    universe.versions.forEach((version, index) => {
      if (version.runtimeCompatible) return;
      const key = `${version.minRuntime ?? '*'} ${version.maxRuntime ?? '*'}`;
      const group = groups.get(key) ?? { min: version.minRuntime, max: version.maxRuntime, indexes: [] };
      group.indexes.push(index);
      groups.set(key, group);
    });
    for (const group of groups.values()) {
      const set = VersionSet.fromIndexes(universe.versions.length, group.indexes);
      this.#add(
        createIncompatibility(
          [createTerm(universe.id, set, true)],
          { kind: 'runtime', min: group.min, max: group.max },
          this.rootId,
        ),
      );
    }
  }

  /** Runs to a solution or a proof of failure, yielding plugin ids whose versions it needs first. */
  *solve(): Generator<SolverRequest, SolverOutcome, void> {
    const root = this.universes.get(this.rootId)!;
    this.#add(
      createIncompatibility([createTerm(this.rootId, root.full, false)], { kind: 'root' }, this.rootId),
    );
    try {
      let next: string | undefined = this.rootId;
      while (next !== undefined) {
        this.#propagate(next);
        next = yield* this.#choosePackageVersion();
      }
    } catch (error) {
      if (error instanceof SolveFailure) return { ok: false, incompatibility: error.incompatibility };
      throw error;
    }
    return { ok: true, decisions: this.#solution.decisions };
  }

  #add(incompatibility: Incompatibility): void {
    for (const term of incompatibility.terms) {
      let list = this.#incompatibilities.get(term.packageId);
      if (list === undefined) {
        list = [];
        this.#incompatibilities.set(term.packageId, list);
      }
      list.push(incompatibility);
    }
  }

  /** Unit propagation from a changed plugin, newest incompatibilities first, resolving conflicts as found. */
  #propagate(packageId: string): void {
    const changed = new Set<string>([packageId]);
    while (changed.size > 0) {
      const current = changed.values().next().value as string;
      changed.delete(current);
      const list = this.#incompatibilities.get(current) ?? [];
      for (let index = list.length - 1; index >= 0; index -= 1) {
        const incompatibility = list[index]!;
        const result = this.#propagateIncompatibility(incompatibility);
        if (result === 'conflict') {
          const rootCause = this.#resolveConflict(incompatibility);
          changed.clear();
          const derived = this.#propagateIncompatibility(rootCause);
          if (typeof derived === 'string') changed.add(derived);
          break;
        }
        if (typeof result === 'string') changed.add(result);
      }
    }
  }

  /** Derives what an almost-satisfied incompatibility forces; returns the plugin it changed, or 'conflict'. */
  #propagateIncompatibility(incompatibility: Incompatibility): string | 'conflict' | undefined {
    let unsatisfied: Term | undefined;
    for (const term of incompatibility.terms) {
      const relation = this.#solution.relation(term);
      if (relation === 'disjoint') return undefined;
      if (relation === 'overlapping') {
        if (unsatisfied !== undefined) return undefined;
        unsatisfied = term;
      }
    }
    if (unsatisfied === undefined) return 'conflict';
    this.#solution.derive(negateTerm(unsatisfied), incompatibility);
    return unsatisfied.packageId;
  }

  /**
   * Conflict-driven learning: derives the root cause of a satisfied incompatibility, learns it,
   * and backjumps to where it is almost satisfied; throws SolveFailure when it proves failure.
   */
  #resolveConflict(start: Incompatibility): Incompatibility {
    let incompatibility = start;
    let learned = false;
    for (;;) {
      if (isFailure(incompatibility, this.rootId)) throw new SolveFailure(incompatibility);
      let mostRecentTerm: Term | undefined;
      let mostRecentSatisfier: ReturnType<PartialSolution['satisfier']> | undefined;
      let difference: Term | undefined;
      let previousSatisfierLevel = 1;
      for (const term of incompatibility.terms) {
        const satisfier = this.#solution.satisfier(term);
        if (mostRecentSatisfier === undefined) {
          mostRecentTerm = term;
          mostRecentSatisfier = satisfier;
        } else if (mostRecentSatisfier.index < satisfier.index) {
          previousSatisfierLevel = Math.max(previousSatisfierLevel, mostRecentSatisfier.decisionLevel);
          mostRecentTerm = term;
          mostRecentSatisfier = satisfier;
          difference = undefined;
        } else {
          previousSatisfierLevel = Math.max(previousSatisfierLevel, satisfier.decisionLevel);
        }
        if (mostRecentTerm === term) {
          // The satisfier may satisfy the term only together with earlier assignments.
          difference = differenceOfTerms(mostRecentSatisfier.term, term);
          if (difference !== undefined) {
            previousSatisfierLevel = Math.max(
              previousSatisfierLevel,
              this.#solution.satisfier(negateTerm(difference)).decisionLevel,
            );
          }
        }
      }
      const satisfier = mostRecentSatisfier!;
      if (previousSatisfierLevel < satisfier.decisionLevel || satisfier.cause === undefined) {
        this.#solution.backtrack(previousSatisfierLevel);
        if (learned) this.#add(incompatibility);
        return incompatibility;
      }
      const newTerms: Term[] = [
        ...incompatibility.terms.filter((term) => term !== mostRecentTerm),
        ...satisfier.cause.terms.filter((term) => term.packageId !== satisfier.term.packageId),
      ];
      if (difference !== undefined) newTerms.push(negateTerm(difference));
      incompatibility = createIncompatibility(
        newTerms,
        { kind: 'conflict', conflict: incompatibility, other: satisfier.cause },
        this.rootId,
      );
      learned = true;
    }
  }

  /** Decides the newest allowed version of the undecided plugin with the fewest versions left (pub's heuristic). */
  *#choosePackageVersion(): Generator<SolverRequest, string | undefined, void> {
    const undecided = this.#solution.undecided();
    if (undecided.size === 0) return undefined;
    let chosen: string | undefined;
    let chosenCount = Number.POSITIVE_INFINITY;
    for (const packageId of undecided) {
      const count = this.#solution.positiveTerm(packageId)!.set.count();
      if (count < chosenCount || (count === chosenCount && packageId < chosen!)) {
        chosen = packageId;
        chosenCount = count;
      }
    }
    const packageId = chosen!;
    const universe = this.universes.get(packageId)!;
    const versionIndex = this.#solution.positiveTerm(packageId)!.set.highest();
    if (versionIndex === -1) {
      throw new PluginError('INTERNAL', `The resolver derived an empty version set for "${packageId}".`);
    }
    const version = universe.versions[versionIndex]!;
    const dependencies = this.#activeDependencies(packageId, version);
    const unknown = dependencies
      .map((dependency) => dependency.pluginId)
      .filter((id) => !this.universes.has(id));
    if (unknown.length > 0) yield unknown;

    let conflict = false;
    for (const dependency of dependencies) {
      const incompatibility = this.#dependencyIncompatibility(universe, versionIndex, dependency);
      if (incompatibility === undefined) continue;
      this.#add(incompatibility);
      conflict ||= incompatibility.terms.every(
        (term) => term.packageId === packageId || this.#solution.satisfies(term),
      );
    }
    if (!conflict) this.#solution.decide(packageId, versionIndex, universe.versions.length);
    return packageId;
  }

  #activeDependencies(packageId: string, version: LoadedVersion): LoadedDependency[] {
    return version.dependencies.filter(
      (dependency) =>
        !dependency.optional || !this.#droppedOptional.has(optionalKey(packageId, dependency.pluginId)),
    );
  }

  /** Whether an optional dependency has no usable version at all, so it is left out up front. */
  isOptionalUnusable(dependency: LoadedDependency): boolean {
    const target = this.universes.get(dependency.pluginId);
    if (target === undefined || target.missing) return true;
    return constraintSet(target, dependency.constraint).isDisjointFrom(target.runtimeCompatible);
  }

  #sameDependency(
    packageId: string,
    version: LoadedVersion,
    dependency: LoadedDependency,
    set: VersionSet,
  ): boolean {
    const match = this.#activeDependencies(packageId, version).find(
      (candidate) => candidate.pluginId === dependency.pluginId,
    );
    if (match === undefined || match.optional !== dependency.optional) return false;
    if (match.constraint.constraint === dependency.constraint.constraint) return true;
    return constraintSet(this.universes.get(dependency.pluginId)!, match.constraint).equals(set);
  }

  /**
   * The incompatibility "versions low..high of the plugin depend on the dependency", widened over
   * the neighbouring versions with the same dependency, as pub does: 500 versions with one
   * dependency give one incompatibility, not 500.
   */
  #dependencyIncompatibility(
    universe: PackageUniverse,
    versionIndex: number,
    dependency: LoadedDependency,
  ): Incompatibility | undefined {
    const coverKey = optionalKey(universe.id, dependency.pluginId);
    const covered = this.#covered.get(coverKey);
    if (covered?.has(versionIndex) === true) return undefined;
    if (dependency.optional && this.isOptionalUnusable(dependency)) return undefined;
    const target = this.universes.get(dependency.pluginId)!;
    const set = constraintSet(target, dependency.constraint);
    let low = versionIndex;
    while (low > 0 && this.#sameDependency(universe.id, universe.versions[low - 1]!, dependency, set))
      low -= 1;
    let high = versionIndex;
    while (
      high < universe.versions.length - 1 &&
      this.#sameDependency(universe.id, universe.versions[high + 1]!, dependency, set)
    ) {
      high += 1;
    }
    const dependerSet = VersionSet.span(universe.versions.length, low, high);
    this.#covered.set(coverKey, covered === undefined ? dependerSet : covered.union(dependerSet));
    const depender = createTerm(universe.id, dependerSet, true);
    if (set.isEmpty()) {
      return createIncompatibility(
        [depender],
        {
          kind: 'unavailable-dependency',
          dependencyId: dependency.pluginId,
          constraint: dependency.constraint.constraint,
          reason: target.missing ? 'missing' : 'no-match',
          optional: dependency.optional,
        },
        this.rootId,
      );
    }
    return createIncompatibility(
      [depender, createTerm(dependency.pluginId, set, false, dependency.constraint.constraint)],
      { kind: 'dependency', optional: dependency.optional },
      this.rootId,
    );
  }
}
