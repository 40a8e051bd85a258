import { intersectTerms, type Term } from './term';

/** Why an incompatibility holds: a fact about the input, or a derivation from two others. */
export type IncompatibilityCause =
  | { readonly kind: 'root' }
  | { readonly kind: 'dependency'; readonly optional: boolean }
  | {
      readonly kind: 'unavailable-dependency';
      readonly dependencyId: string;
      readonly constraint: string;
      readonly reason: 'missing' | 'no-match';
      readonly optional: boolean;
    }
  | { readonly kind: 'runtime'; readonly min?: string | undefined; readonly max?: string | undefined }
  | { readonly kind: 'conflict'; readonly conflict: Incompatibility; readonly other: Incompatibility };

/** A set of terms that must not all be true at once. */
export interface Incompatibility {
  readonly terms: readonly Term[];
  readonly cause: IncompatibilityCause;
}

/**
 * Creates an incompatibility the way pub does: the always-true root term is dropped from derived
 * incompatibilities (clearer explanations), and terms about the same plugin are merged.
 */
export function createIncompatibility(
  terms: readonly Term[],
  cause: IncompatibilityCause,
  rootId: string,
): Incompatibility {
  let kept = terms;
  if (
    kept.length !== 1 &&
    cause.kind === 'conflict' &&
    kept.some((term) => term.positive && term.packageId === rootId)
  ) {
    kept = kept.filter((term) => !(term.positive && term.packageId === rootId));
  }
  if (kept.length === 1 || (kept.length === 2 && kept[0]!.packageId !== kept[1]!.packageId)) {
    return { terms: kept, cause };
  }
  const byPackage = new Map<string, Term>();
  for (const term of kept) {
    const existing = byPackage.get(term.packageId);
    byPackage.set(term.packageId, existing === undefined ? term : intersectTerms(existing, term));
  }
  return { terms: [...byPackage.values()], cause };
}

/** Whether an incompatibility says resolution is impossible (no terms, or "root is forbidden"). */
export function isFailure(incompatibility: Incompatibility, rootId: string): boolean {
  if (incompatibility.terms.length === 0) return true;
  const [only] = incompatibility.terms;
  return incompatibility.terms.length === 1 && only!.positive && only!.packageId === rootId;
}
