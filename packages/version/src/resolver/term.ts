import type { VersionSet } from './version-set';

/**
 * A statement about one plugin: positive "the plugin is selected at a version in `set`", or
 * negative "the plugin is not selected at a version in `set`" (also true when it is absent).
 * `label` keeps the constraint text the set came from, for explanations.
 */
export interface Term {
  readonly packageId: string;
  readonly set: VersionSet;
  readonly positive: boolean;
  readonly label?: string | undefined;
}

/** How a term relates to another: contained in it, disjoint from it, or neither. */
export type TermRelation = 'subset' | 'disjoint' | 'overlapping';

/** Creates a term; `label` is the constraint text the set came from, kept for explanations. */
export function createTerm(packageId: string, set: VersionSet, positive: boolean, label?: string): Term {
  return label === undefined ? { packageId, set, positive } : { packageId, set, positive, label };
}

/** The same set with the opposite polarity ("not a ^1.0.0" for "a ^1.0.0"). */
export function negateTerm(term: Term): Term {
  return createTerm(term.packageId, term.set, !term.positive, term.label);
}

function labelFor(result: VersionSet, positive: boolean, left: Term, right: Term): string | undefined {
  if (left.label !== undefined && left.positive === positive && left.set.equals(result)) return left.label;
  if (right.label !== undefined && right.positive === positive && right.set.equals(result))
    return right.label;
  return undefined;
}

/** The conjunction of two terms about the same plugin. */
export function intersectTerms(left: Term, right: Term): Term {
  let set: VersionSet;
  let positive: boolean;
  if (left.positive && right.positive) {
    set = left.set.intersect(right.set);
    positive = true;
  } else if (left.positive) {
    set = left.set.minus(right.set);
    positive = true;
  } else if (right.positive) {
    set = right.set.minus(left.set);
    positive = true;
  } else {
    set = left.set.union(right.set);
    positive = false;
  }
  return createTerm(left.packageId, set, positive, labelFor(set, positive, left, right));
}

/** `left` and not `right`; `undefined` when nothing is left. */
export function differenceOfTerms(left: Term, right: Term): Term | undefined {
  const result = intersectTerms(left, negateTerm(right));
  return isEmptyTerm(result) ? undefined : result;
}

/** Whether a term can never hold: a positive term with no versions. */
export function isEmptyTerm(term: Term): boolean {
  return term.positive && term.set.isEmpty();
}

/** Whether `term` and `other` are about the same plugin and every selection `term` allows, `other` allows. */
export function termSatisfies(term: Term, other: Term): boolean {
  return term.packageId === other.packageId && relateTerms(term, other) === 'subset';
}

/** How the selections allowed by `term` relate to those allowed by `other`. */
export function relateTerms(term: Term, other: Term): TermRelation {
  if (term.positive) {
    if (other.positive) {
      if (term.set.isSubsetOf(other.set)) return 'subset';
      if (term.set.isDisjointFrom(other.set)) return 'disjoint';
      return 'overlapping';
    }
    if (term.set.isDisjointFrom(other.set)) return 'subset';
    if (term.set.isSubsetOf(other.set)) return 'disjoint';
    return 'overlapping';
  }
  if (other.positive) {
    return other.set.isSubsetOf(term.set) ? 'disjoint' : 'overlapping';
  }
  return other.set.isSubsetOf(term.set) ? 'subset' : 'overlapping';
}
