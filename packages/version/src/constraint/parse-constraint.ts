import { PluginError } from '@agentplug/models';
import { Range } from 'semver';
import { BoundedCache } from '../internal/bounded-cache';
import { toSemver } from '../version/parse-version';

/** A parsed version constraint, ready to test versions against. */
export interface VersionConstraint {
  /** The constraint as written (`>=1.0.0,<2.0.0`, `^1.2.0 || ^2.0.0`). */
  readonly constraint: string;
  /** The equivalent node-semver range in canonical form (`>=1.0.0 <2.0.0`); empty for `*`. */
  readonly range: string;
  /** Whether every release satisfies it (`*`, `x`, `1.x || *`). */
  readonly isAny: boolean;
  /** Whether `version` satisfies it, with node-semver's prerelease rules. @throws PluginError INVALID_VERSION */
  test(version: string): boolean;
}

const MAX_CONSTRAINT_LENGTH = 256;
const constraintCache = new BoundedCache<string, VersionConstraint>(5_000);

function invalid(constraint: string, problem: string): PluginError {
  return new PluginError(
    'INVALID_CONSTRAINT',
    `Invalid version constraint "${constraint.slice(0, 80)}": ${problem}. Use forms such as 1.2.3, *, >=1.0.0,<2.0.0, ^1.2.0, ~1.2.0, 1.x or 1.0.0 - 2.0.0, joined with || for alternatives.`,
    { details: { constraint } },
  );
}

/** Turns the seed's grammar (comma means AND) into node-semver's, checking each alternative. */
function normalize(constraint: string): string {
  if (constraint.trim().length === 0) throw invalid(constraint, 'it is empty');
  if (constraint.length > MAX_CONSTRAINT_LENGTH) {
    throw invalid(constraint, `it is longer than ${MAX_CONSTRAINT_LENGTH} characters`);
  }
  const alternatives = constraint.split('||').map((alternative, index) => {
    const parts = alternative.split(',').map((part) => part.trim());
    if (parts.length === 1 && parts[0] === '') {
      throw invalid(constraint, `alternative ${index + 1} (between "||") is empty`);
    }
    if (parts.some((part) => part === '')) {
      throw invalid(constraint, `alternative ${index + 1} has an empty part between commas`);
    }
    const joined = parts.join(' ');
    try {
      new Range(joined);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/^Invalid comparator: /, '') : '';
      throw invalid(constraint, `"${reason || joined}" is not a version comparator`);
    }
    return joined;
  });
  return alternatives.join(' || ');
}

function createConstraint(constraint: string): VersionConstraint {
  const range = new Range(normalize(constraint));
  return Object.freeze({
    constraint,
    range: range.range,
    isAny: range.range === '',
    test: (version: string): boolean => range.test(toSemver(version)),
  });
}

/**
 * Parses a version constraint in the seed's grammar (`1.2.3`, `*`, `>=1.0.0,<2.0.0`) or npm's
 * (`^`, `~`, x-ranges, hyphen ranges, `||`, spaces). Parsed constraints are cached.
 * @throws PluginError INVALID_CONSTRAINT, with a message saying what is wrong
 * @example parseConstraint('>=1.0.0,<2.0.0').test('1.5.2') // true
 */
export function parseConstraint(constraint: string): VersionConstraint {
  if (typeof constraint !== 'string') {
    throw new PluginError(
      'INVALID_CONSTRAINT',
      `Invalid version constraint: expected a string, got ${constraint === null ? 'null' : typeof constraint}.`,
      { details: { constraint } },
    );
  }
  const cached = constraintCache.get(constraint);
  if (cached !== undefined) return cached;
  const parsed = createConstraint(constraint);
  constraintCache.set(constraint, parsed);
  return parsed;
}

/** Whether {@link parseConstraint} accepts a constraint; never throws. */
export function isValidConstraint(constraint: string): boolean {
  try {
    parseConstraint(constraint);
    return true;
  } catch {
    return false;
  }
}
