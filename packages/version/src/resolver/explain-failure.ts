import { parseConstraint } from '../constraint/parse-constraint';
import type { Incompatibility } from './incompatibility';
import { isFailure } from './incompatibility';
import type { PackageUniverse } from './package-universe';
import { negateTerm, type Term, termSatisfies } from './term';
import type { VersionSet } from './version-set';

/** Two incompatibilities to write as one clause, with the line numbers they were written at, if any. */
interface IncompatibilityPair {
  readonly first: Incompatibility;
  readonly second: Incompatibility;
  readonly firstLine?: number | undefined;
  readonly secondLine?: number | undefined;
}

/** What the explanation needs to name things: the plugins' universes, the root and the runtime. */
export interface ExplanationContext {
  readonly universes: ReadonlyMap<string, PackageUniverse>;
  readonly rootId: string;
  readonly rootName: string;
  readonly runtimeVersion?: string | undefined;
}

function describeRuns(universe: PackageUniverse, set: VersionSet): string {
  const versions = universe.versions;
  const last = versions.length - 1;
  const runs: [number, number][] = [];
  let start = -1;
  let end = -1;
  for (let index = 0; index <= last; index += 1) {
    if (set.has(index)) {
      if (start === -1) start = index;
      end = index;
      continue;
    }
    // node-semver ranges skip prereleases they do not name, so a gap of such prereleases is no gap.
    if (start !== -1 && versions[index]!.semver.prerelease.length === 0) {
      runs.push([start, end]);
      start = -1;
    }
  }
  if (start !== -1) runs.push([start, end]);
  return runs
    .map(([low, high]) => {
      if (low === 0 && high === last) return 'any';
      if (low === 0) return `<${versions[high + 1]!.version}`;
      if (high === last) return `>=${versions[low]!.version}`;
      if (low === high) return versions[low]!.version;
      return `>=${versions[low]!.version} <${versions[high + 1]!.version}`;
    })
    .join(' || ');
}

function runtimeBounds(min: string | undefined, max: string | undefined): string {
  return [min === undefined ? '' : `>=${min}`, max === undefined ? '' : `<=${max}`].filter(Boolean).join(' ');
}

/**
 * Writes a failed resolution's derivation in words, the way pub's solver does: one sentence per
 * derived incompatibility ("Because a depends on b ^2.0.0 and ..., version solving failed."),
 * numbering the lines that are referred to again.
 */
export class ExplanationWriter {
  readonly #context: ExplanationContext;
  readonly #root: Incompatibility;
  readonly #derivations = new Map<Incompatibility, number>();
  readonly #lineNumbers = new Map<Incompatibility, number>();
  readonly #lines: [string, number | undefined][] = [];

  constructor(root: Incompatibility, context: ExplanationContext) {
    this.#root = root;
    this.#context = context;
  }

  write(): string {
    const notices: string[] = [];
    if (
      this.#context.runtimeVersion !== undefined &&
      externalIncompatibilities(this.#root).some(
        (incompatibility) => incompatibility.cause.kind === 'runtime',
      )
    ) {
      notices.push(`The runtime version is ${this.#context.runtimeVersion}.`, '');
    }
    this.#countDerivations(this.#root);
    if (this.#root.cause.kind === 'conflict') {
      this.#visit(this.#root, false);
    } else {
      this.#write(this.#root, `Because ${this.#describe(this.#root)}, version solving failed.`, {
        numbered: false,
      });
    }
    const padding = this.#lineNumbers.size === 0 ? 0 : `(${this.#lineNumbers.size}) `.length;
    const output = [...notices];
    let lastWasEmpty = false;
    for (const [message, number] of this.#lines) {
      if (message === '') {
        if (!lastWasEmpty) output.push('');
        lastWasEmpty = true;
        continue;
      }
      lastWasEmpty = false;
      output.push(
        number === undefined ? ' '.repeat(padding) + message : `(${number})`.padEnd(padding) + message,
      );
    }
    return output.join('\n');
  }

  #countDerivations(incompatibility: Incompatibility): void {
    const count = this.#derivations.get(incompatibility);
    if (count !== undefined) {
      this.#derivations.set(incompatibility, count + 1);
      return;
    }
    this.#derivations.set(incompatibility, 1);
    if (incompatibility.cause.kind === 'conflict') {
      this.#countDerivations(incompatibility.cause.conflict);
      this.#countDerivations(incompatibility.cause.other);
    }
  }

  #write(incompatibility: Incompatibility, message: string, { numbered }: { numbered: boolean }): void {
    if (numbered) {
      const number = this.#lineNumbers.size + 1;
      this.#lineNumbers.set(incompatibility, number);
      this.#lines.push([message, number]);
    } else {
      this.#lines.push([message, undefined]);
    }
  }

  #visit(incompatibility: Incompatibility, conclusion: boolean): void {
    const numbered = conclusion || (this.#derivations.get(incompatibility) ?? 0) > 1;
    const conjunction = conclusion || incompatibility === this.#root ? 'So,' : 'And';
    const text = this.#describe(incompatibility);
    const cause = incompatibility.cause;
    if (cause.kind !== 'conflict') return;
    const { conflict, other } = cause;
    const conflictDerived = conflict.cause.kind === 'conflict';
    const otherDerived = other.cause.kind === 'conflict';

    if (conflictDerived && otherDerived) {
      const conflictLine = this.#lineNumbers.get(conflict);
      const otherLine = this.#lineNumbers.get(other);
      if (conflictLine !== undefined && otherLine !== undefined) {
        this.#write(
          incompatibility,
          `Because ${this.#and({ first: conflict, second: other, firstLine: conflictLine, secondLine: otherLine })}, ${text}.`,
          { numbered },
        );
      } else if (conflictLine !== undefined || otherLine !== undefined) {
        const withLine = conflictLine !== undefined ? conflict : other;
        const withoutLine = conflictLine !== undefined ? other : conflict;
        const line = conflictLine ?? otherLine!;
        this.#visit(withoutLine, false);
        this.#write(
          incompatibility,
          `${conjunction} because ${this.#describe(withLine)} (${line}), ${text}.`,
          { numbered },
        );
      } else {
        const singleLineConflict = isSingleLine(conflict);
        const singleLineOther = isSingleLine(other);
        if (singleLineOther || singleLineConflict) {
          const first = singleLineOther ? conflict : other;
          const second = singleLineOther ? other : conflict;
          this.#visit(first, false);
          this.#visit(second, false);
          this.#write(incompatibility, `Thus, ${text}.`, { numbered });
        } else {
          this.#visit(conflict, true);
          this.#lines.push(['', undefined]);
          this.#visit(other, false);
          this.#write(
            incompatibility,
            `${conjunction} because ${this.#describe(conflict)} (${this.#lineNumbers.get(conflict)}), ${text}.`,
            { numbered },
          );
        }
      }
      return;
    }

    if (conflictDerived || otherDerived) {
      const derived = conflictDerived ? conflict : other;
      const external = conflictDerived ? other : conflict;
      const derivedLine = this.#lineNumbers.get(derived);
      if (derivedLine !== undefined) {
        this.#write(
          incompatibility,
          `Because ${this.#and({ first: external, second: derived, secondLine: derivedLine })}, ${text}.`,
          { numbered },
        );
      } else if (this.#isCollapsible(derived)) {
        const derivedCause = derived.cause as Extract<Incompatibility['cause'], { kind: 'conflict' }>;
        const innerConflictDerived = derivedCause.conflict.cause.kind === 'conflict';
        const collapsedDerived = innerConflictDerived ? derivedCause.conflict : derivedCause.other;
        const collapsedExternal = innerConflictDerived ? derivedCause.other : derivedCause.conflict;
        this.#visit(collapsedDerived, false);
        this.#write(
          incompatibility,
          `${conjunction} because ${this.#and({ first: collapsedExternal, second: external })}, ${text}.`,
          { numbered },
        );
      } else {
        this.#visit(derived, false);
        this.#write(incompatibility, `${conjunction} because ${this.#describe(external)}, ${text}.`, {
          numbered,
        });
      }
      return;
    }

    this.#write(incompatibility, `Because ${this.#and({ first: conflict, second: other })}, ${text}.`, {
      numbered,
    });
  }

  #isCollapsible(incompatibility: Incompatibility): boolean {
    if ((this.#derivations.get(incompatibility) ?? 0) > 1) return false;
    const cause = incompatibility.cause;
    if (cause.kind !== 'conflict') return false;
    const conflictDerived = cause.conflict.cause.kind === 'conflict';
    const otherDerived = cause.other.cause.kind === 'conflict';
    if (conflictDerived === otherDerived) return false;
    const complex = conflictDerived ? cause.conflict : cause.other;
    return !this.#lineNumbers.has(complex);
  }

  #name(packageId: string): string {
    return packageId === this.#context.rootId ? this.#context.rootName : packageId;
  }

  #isAny(term: Term): boolean {
    if (term.label !== undefined) return parseConstraint(term.label).isAny;
    return term.set.isFull();
  }

  /** A term in a few words: "b ^2.0.0", "a >=1.1.0", "every version of a", or the root's name. */
  #terse(term: Term, allowEvery = false): string {
    if (term.packageId === this.#context.rootId) return this.#context.rootName;
    if (allowEvery && this.#isAny(term)) return `every version of ${term.packageId}`;
    if (term.label !== undefined) return `${term.packageId} ${term.label}`;
    const universe = this.#context.universes.get(term.packageId);
    return `${term.packageId} ${universe === undefined ? 'any' : describeRuns(universe, term.set)}`;
  }

  #terseReference(term: Term): string {
    return this.#name(term.packageId);
  }

  #describe(incompatibility: Incompatibility): string {
    const cause = incompatibility.cause;
    const terms = incompatibility.terms;
    switch (cause.kind) {
      case 'dependency':
        return `${this.#terse(terms[0]!, true)} depends on ${this.#terse(terms[1]!)}`;
      case 'unavailable-dependency':
        return `${this.#terse(terms[0]!, true)} depends on ${this.#unavailable(incompatibility)}`;
      case 'runtime':
        return `${this.#terse(terms[0]!, true)} requires runtime ${runtimeBounds(cause.min, cause.max)}`;
      case 'root':
        return `${this.#context.rootName} is required`;
      default:
        break;
    }
    if (isFailure(incompatibility, this.#context.rootId)) return 'version solving failed';
    if (terms.length === 1) {
      const term = terms[0]!;
      const subject = this.#isAny(term) ? this.#terseReference(term) : this.#terse(term);
      return `${subject} is ${term.positive ? 'forbidden' : 'required'}`;
    }
    if (terms.length === 2) {
      const [first, second] = terms as [Term, Term];
      if (first.positive === second.positive) {
        if (first.positive) {
          const left = this.#isAny(first) ? this.#terseReference(first) : this.#terse(first);
          const right = this.#isAny(second) ? this.#terseReference(second) : this.#terse(second);
          return `${left} is incompatible with ${right}`;
        }
        return `either ${this.#terse(first)} or ${this.#terse(second)}`;
      }
    }
    const positive = terms.filter((term) => term.positive);
    const negative = terms.filter((term) => !term.positive);
    if (positive.length > 0 && negative.length > 0) {
      const negatives = negative.map((term) => this.#terse(term)).join(' or ');
      if (positive.length === 1) return `${this.#terse(positive[0]!, true)} requires ${negatives}`;
      return `if ${positive.map((term) => this.#terse(term)).join(' and ')} then ${negatives}`;
    }
    if (positive.length > 0)
      return `one of ${positive.map((term) => this.#terse(term)).join(' or ')} must be false`;
    return `one of ${negative.map((term) => this.#terse(term)).join(' or ')} must be true`;
  }

  #unavailable(incompatibility: Incompatibility): string {
    const cause = incompatibility.cause as Extract<
      Incompatibility['cause'],
      { kind: 'unavailable-dependency' }
    >;
    const what = `${cause.dependencyId} ${cause.constraint}`;
    return cause.reason === 'missing'
      ? `${what} which doesn't exist`
      : `${what} which doesn't match any versions`;
  }

  #verb(incompatibility: Incompatibility): string {
    return incompatibility.cause.kind === 'dependency' ? 'depends on' : 'requires';
  }

  /** Two incompatibilities as one clause, in the most specific of pub's forms that fits. */
  #and(pair: IncompatibilityPair): string {
    const { first, second, firstLine, secondLine } = pair;
    return (
      this.#requiresBoth(pair) ??
      this.#requiresThrough(pair) ??
      this.#requiresForbidden(pair) ??
      `${this.#describe(first)}${firstLine === undefined ? '' : ` (${firstLine})`} and ${this.#describe(second)}${secondLine === undefined ? '' : ` (${secondLine})`}`
    );
  }

  #requiresBoth(pair: IncompatibilityPair): string | undefined {
    const { first, second, firstLine, secondLine } = pair;
    if (first.terms.length === 1 || second.terms.length === 1) return undefined;
    const firstPositive = single(first, (term) => term.positive);
    const secondPositive = single(second, (term) => term.positive);
    if (firstPositive === undefined || secondPositive === undefined) return undefined;
    // Pub compares package ranges here: the same plugin in the same versions.
    if (
      firstPositive.packageId !== secondPositive.packageId ||
      !firstPositive.set.equals(secondPositive.set)
    ) {
      return undefined;
    }
    const negatives = (incompatibility: Incompatibility) =>
      incompatibility.terms
        .filter((term) => !term.positive)
        .map((term) => this.#terse(term))
        .join(' or ');
    const verb =
      first.cause.kind === 'dependency' && second.cause.kind === 'dependency' ? 'depends on' : 'requires';
    return `${this.#terse(firstPositive, true)} ${verb} both ${negatives(first)}${lineSuffix(firstLine)} and ${negatives(second)}${lineSuffix(secondLine)}`;
  }

  #requiresThrough(pair: IncompatibilityPair): string | undefined {
    const { first, second, firstLine, secondLine } = pair;
    if (first.terms.length === 1 || second.terms.length === 1) return undefined;
    const firstNegative = single(first, (term) => !term.positive);
    const secondNegative = single(second, (term) => !term.positive);
    if (firstNegative === undefined && secondNegative === undefined) return undefined;
    const firstPositive = single(first, (term) => term.positive);
    const secondPositive = single(second, (term) => term.positive);
    let prior: Incompatibility;
    let priorNegative: Term;
    let priorLine: number | undefined;
    let latter: Incompatibility;
    let latterLine: number | undefined;
    if (
      firstNegative !== undefined &&
      secondPositive !== undefined &&
      firstNegative.packageId === secondPositive.packageId &&
      termSatisfies(negateTerm(firstNegative), secondPositive)
    ) {
      [prior, priorNegative, priorLine, latter, latterLine] = [
        first,
        firstNegative,
        firstLine,
        second,
        secondLine,
      ];
    } else if (
      secondNegative !== undefined &&
      firstPositive !== undefined &&
      secondNegative.packageId === firstPositive.packageId &&
      termSatisfies(negateTerm(secondNegative), firstPositive)
    ) {
      [prior, priorNegative, priorLine, latter, latterLine] = [
        second,
        secondNegative,
        secondLine,
        first,
        firstLine,
      ];
    } else {
      return undefined;
    }
    const priorPositives = prior.terms.filter((term) => term.positive);
    const head =
      priorPositives.length > 1
        ? `if ${priorPositives.map((term) => this.#terse(term)).join(' or ')} then `
        : `${this.#terse(priorPositives[0]!, true)} ${this.#verb(prior)} `;
    const latterNegatives = latter.terms
      .filter((term) => !term.positive)
      .map((term) => this.#terse(term))
      .join(' or ');
    return `${head}${this.#terse(priorNegative)}${lineSuffix(priorLine)} which ${this.#verb(latter)} ${latterNegatives}${lineSuffix(latterLine)}`;
  }

  #requiresForbidden(pair: IncompatibilityPair): string | undefined {
    const { first, second, firstLine, secondLine } = pair;
    if (first.terms.length !== 1 && second.terms.length !== 1) return undefined;
    const [prior, latter, priorLine, latterLine] =
      first.terms.length === 1
        ? [second, first, secondLine, firstLine]
        : [first, second, firstLine, secondLine];
    const negative = single(prior, (term) => !term.positive);
    if (negative === undefined) return undefined;
    if (!termSatisfies(negateTerm(negative), latter.terms[0]!)) return undefined;
    const positives = prior.terms.filter((term) => term.positive);
    const head =
      positives.length > 1
        ? `if ${positives.map((term) => this.#terse(term)).join(' or ')} then `
        : `${this.#terse(positives[0]!, true)} ${this.#verb(prior)} `;
    let tail: string;
    const cause = latter.cause;
    if (cause.kind === 'runtime') tail = ` which requires runtime ${runtimeBounds(cause.min, cause.max)}`;
    else if (cause.kind === 'unavailable-dependency') tail = ` which depends on ${this.#unavailable(latter)}`;
    else tail = ' which is forbidden';
    // For our own external causes the prior's constraint reads better than the latter's version set.
    const subject =
      cause.kind === 'runtime' || cause.kind === 'unavailable-dependency' ? negative : latter.terms[0]!;
    return `${head}${this.#terse(subject)}${lineSuffix(priorLine)}${tail}${lineSuffix(latterLine)}`;
  }
}

function lineSuffix(line: number | undefined): string {
  return line === undefined ? '' : ` (${line})`;
}

function single(incompatibility: Incompatibility, predicate: (term: Term) => boolean): Term | undefined {
  let found: Term | undefined;
  for (const term of incompatibility.terms) {
    if (!predicate(term)) continue;
    if (found !== undefined) return undefined;
    found = term;
  }
  return found;
}

function isSingleLine(incompatibility: Incompatibility): boolean {
  const cause = incompatibility.cause;
  return (
    cause.kind === 'conflict' &&
    cause.conflict.cause.kind !== 'conflict' &&
    cause.other.cause.kind !== 'conflict'
  );
}

/** The incompatibilities taken from the input (not derived) that a derivation rests on. */
export function externalIncompatibilities(root: Incompatibility): Incompatibility[] {
  const seen = new Set<Incompatibility>();
  const result: Incompatibility[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    if (current.cause.kind === 'conflict') stack.push(current.cause.other, current.cause.conflict);
    else result.push(current);
  }
  return result;
}
