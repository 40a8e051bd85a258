import type { Incompatibility } from './incompatibility';
import { createTerm, intersectTerms, relateTerms, type Term, type TermRelation } from './term';
import { VersionSet } from './version-set';

/** One step of the partial solution: a decision (no cause) or a derivation (with its cause). */
export interface Assignment {
  readonly term: Term;
  readonly decisionLevel: number;
  readonly index: number;
  readonly cause?: Incompatibility | undefined;
}

/** PubGrub's partial solution: the ordered assignments, with each plugin's accumulated term. */
export class PartialSolution {
  readonly #assignments: Assignment[] = [];
  readonly #byPackage = new Map<string, Assignment[]>();
  readonly #positive = new Map<string, Term>();
  readonly #negative = new Map<string, Term>();
  readonly decisions: Map<string, number> = new Map();
  readonly #undecided = new Set<string>();
  decisionLevel = 0;

  /** Selects one version of a plugin, opening a new decision level. */
  decide(packageId: string, versionIndex: number, size: number): void {
    this.decisionLevel += 1;
    this.decisions.set(packageId, versionIndex);
    this.#undecided.delete(packageId);
    this.#assign(createTerm(packageId, VersionSet.fromIndexes(size, [versionIndex]), true), undefined);
  }

  /** Records a term forced by `cause` at the current decision level. */
  derive(term: Term, cause: Incompatibility): void {
    this.#assign(term, cause);
  }

  #assign(term: Term, cause: Incompatibility | undefined): void {
    const assignment: Assignment = {
      term,
      decisionLevel: this.decisionLevel,
      index: this.#assignments.length,
      cause,
    };
    this.#assignments.push(assignment);
    let list = this.#byPackage.get(term.packageId);
    if (list === undefined) {
      list = [];
      this.#byPackage.set(term.packageId, list);
    }
    list.push(assignment);
    this.#register(term);
  }

  #register(term: Term): void {
    const positive = this.#positive.get(term.packageId);
    if (positive !== undefined) {
      this.#positive.set(term.packageId, intersectTerms(positive, term));
      return;
    }
    const negative = this.#negative.get(term.packageId);
    const combined = negative === undefined ? term : intersectTerms(negative, term);
    if (combined.positive) {
      if (!this.decisions.has(term.packageId)) this.#undecided.add(term.packageId);
      this.#negative.delete(term.packageId);
      this.#positive.set(term.packageId, combined);
    } else {
      this.#negative.set(term.packageId, combined);
    }
  }

  /** Removes every assignment made after `decisionLevel`. */
  backtrack(decisionLevel: number): void {
    const affected = new Set<string>();
    while (this.#assignments.length > 0) {
      const last = this.#assignments[this.#assignments.length - 1]!;
      if (last.decisionLevel <= decisionLevel) break;
      this.#assignments.pop();
      const packageId = last.term.packageId;
      this.#byPackage.get(packageId)!.pop();
      if (last.cause === undefined) this.decisions.delete(packageId);
      affected.add(packageId);
    }
    this.decisionLevel = decisionLevel;
    for (const packageId of affected) {
      this.#positive.delete(packageId);
      this.#negative.delete(packageId);
      this.#undecided.delete(packageId);
      for (const assignment of this.#byPackage.get(packageId) ?? []) this.#register(assignment.term);
    }
  }

  /** How the partial solution relates to `term`. */
  relation(term: Term): TermRelation {
    const positive = this.#positive.get(term.packageId);
    if (positive !== undefined) return relateTerms(positive, term);
    const negative = this.#negative.get(term.packageId);
    if (negative === undefined) return 'overlapping';
    return relateTerms(negative, term);
  }

  /** Whether the assignments so far make `term` true. */
  satisfies(term: Term): boolean {
    return this.relation(term) === 'subset';
  }

  /** The earliest assignment after which the partial solution satisfies `term`. */
  satisfier(term: Term): Assignment {
    let accumulated: Term | undefined;
    for (const assignment of this.#byPackage.get(term.packageId) ?? []) {
      accumulated =
        accumulated === undefined ? assignment.term : intersectTerms(accumulated, assignment.term);
      if (relateTerms(accumulated, term) === 'subset') return assignment;
    }
    throw new Error(`resolver invariant broken: no assignment satisfies the term about ${term.packageId}`);
  }

  /** What the assignments so far allow for a plugin that must be selected. */
  positiveTerm(packageId: string): Term | undefined {
    return this.#positive.get(packageId);
  }

  /** Plugins that must be selected but have no version decided yet. */
  undecided(): ReadonlySet<string> {
    return this.#undecided;
  }
}
