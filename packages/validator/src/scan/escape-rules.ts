import type * as BabelTypes from '@babel/types';
import { type AbstractValue, UNKNOWN } from './abstract-value';
import type { FindingCode } from './finding-codes';
import { type Reach, type ReachCapability, reachOf } from './reach-table';
import type { ScanReporter } from './scan-reporter';

/** The finding code of each capability an escaped value reaches, and what code can then do. */
export const REACH_FINDINGS: Readonly<Record<ReachCapability, { code: FindingCode; can: string }>> = {
  shell: { code: 'REACHES_SHELL', can: 'start processes' },
  eval: { code: 'REACHES_EVAL', can: 'run strings as code' },
  native: { code: 'REACHES_NATIVE', can: 'load native addons' },
  network: { code: 'REACHES_NETWORK', can: 'open network connections' },
  filesystem_read: { code: 'REACHES_FS_READ', can: 'read any file' },
  filesystem_write: { code: 'REACHES_FS_WRITE', can: 'write any file' },
  env: { code: 'REACHES_ENV', can: 'read the environment' },
};

/** How deep an escape looks into objects and arrays for what they hold (they may hold themselves). */
const MAX_CONTAINER_DEPTH = 4;
/** How many members of one container an escape looks at. */
const MAX_CONTAINER_MEMBERS = 64;

/**
 * Whether a value reaches a capability if it escapes: a powerful value itself, or an object or
 * array holding one. Cheap for the common values, which are unknown or literal.
 */
export function isPowerful(value: AbstractValue, depth = 0): boolean {
  if (value === UNKNOWN) return false;
  switch (value.kind) {
    case 'global':
    case 'module':
    case 'invoker':
    case 'unresolved-member':
      return reachOf(value) !== undefined;
    case 'object': {
      if (depth >= MAX_CONTAINER_DEPTH) return false;
      let seen = 0;
      for (const member of value.properties.values()) {
        if (isPowerful(member, depth + 1)) return true;
        if (++seen >= MAX_CONTAINER_MEMBERS) break;
      }
      return false;
    }
    case 'array': {
      if (depth >= MAX_CONTAINER_DEPTH) return false;
      const count = Math.min(value.elements.length, MAX_CONTAINER_MEMBERS);
      for (let index = 0; index < count; index++)
        if (isPowerful(value.elements[index]!, depth + 1)) return true;
      return false;
    }
    default:
      return false;
  }
}

/**
 * A value leaves what the scan understands (`how`: passed to a function it cannot follow,
 * returned, stored, thrown, spread, iterated): report every capability it reaches, at `node`.
 * `process.env` as a whole is an env read; an object or array is looked into for what it holds.
 */
export function reportEscape(
  reporter: ScanReporter,
  value: AbstractValue,
  node: BabelTypes.Node,
  how: string,
  depth = 0,
  holder = '',
): void {
  if (value === UNKNOWN) return;
  switch (value.kind) {
    case 'global':
      if (value.path === 'process.env') {
        reporter.report('ENV_READ', node, 'reads the whole of process.env', null);
        return;
      }
      reportReach(reporter, reachOf(value), node, how, holder);
      return;
    case 'module':
    case 'invoker':
    case 'unresolved-member':
      reportReach(reporter, reachOf(value), node, how, holder);
      return;
    case 'object': {
      if (depth >= MAX_CONTAINER_DEPTH) return;
      let seen = 0;
      for (const member of value.properties.values()) {
        reportEscape(reporter, member, node, how, depth + 1, ' (inside an object)');
        if (++seen >= MAX_CONTAINER_MEMBERS) break;
      }
      return;
    }
    case 'array': {
      if (depth >= MAX_CONTAINER_DEPTH) return;
      const count = Math.min(value.elements.length, MAX_CONTAINER_MEMBERS);
      for (let index = 0; index < count; index++) {
        reportEscape(reporter, value.elements[index]!, node, how, depth + 1, ' (inside an array)');
      }
      return;
    }
    default:
      return;
  }
}

/** The target of a reach finding: unknown (`null`) for the capabilities whose uses have targets. */
export function targetOf(capability: ReachCapability): null | undefined {
  return capability === 'network' || capability === 'env' || capability.startsWith('filesystem')
    ? null
    : undefined;
}

function reportReach(
  reporter: ScanReporter,
  reach: Reach | undefined,
  node: BabelTypes.Node,
  how: string,
  holder: string,
): void {
  if (reach === undefined) return;
  const what = `${reach.name}${holder} ${how}`;
  for (const capability of reach.capabilities) {
    const { code, can } = REACH_FINDINGS[capability];
    reporter.report(
      code,
      node,
      `${what}; whatever the scan cannot follow there can ${can} with it`,
      targetOf(capability),
    );
  }
  if (reach.broad) {
    const reached = reach.capabilities.length === 0 ? 'whatever it carries' : reach.capabilities.join(', ');
    reporter.report(
      'ESCAPED_REFERENCE',
      node,
      `${what}, where the scan cannot follow it, so it counts as everything it reaches (${reached}); call it directly, with literal arguments, instead of handing it on`,
    );
  }
}

/** The capabilities a value reaches (a container: its members'), for comparing two values. */
function capabilitiesOf(value: AbstractValue, into: Set<ReachCapability>, depth = 0): Set<ReachCapability> {
  if (value === UNKNOWN || depth > MAX_CONTAINER_DEPTH) return into;
  if (value.kind === 'object') {
    for (const member of value.properties.values()) capabilitiesOf(member, into, depth + 1);
  } else if (value.kind === 'array') {
    for (const element of value.elements) capabilitiesOf(element, into, depth + 1);
  } else {
    const reach = reachOf(value);
    if (reach !== undefined) for (const capability of reach.capabilities) into.add(capability);
    if (value.kind === 'global' && value.path === 'process.env') into.add('env');
  }
  return into;
}

/** How well the scan follows a value: a global or module it tracks beats a member it could not name. */
function precisionOf(value: AbstractValue): number {
  if (value === UNKNOWN) return 0;
  if (value.kind === 'global' || value.kind === 'module') return isPowerful(value) ? 3 : 1;
  return isPowerful(value) ? 2 : 1;
}

/**
 * One of two values an expression may have (`a || b`, `c ? a : b`): the scan keeps one. It keeps
 * the dangerous one it follows best; the other, if it reaches something the kept one does not,
 * escapes here (its uses would not be seen).
 */
export function chooseValue(
  reporter: ScanReporter,
  preferred: AbstractValue,
  other: AbstractValue,
  node: BabelTypes.Node,
): AbstractValue {
  if (other === UNKNOWN || other === preferred) return preferred;
  if (preferred === UNKNOWN) return other;
  const [chosen, dropped] =
    precisionOf(other) > precisionOf(preferred) ? [other, preferred] : [preferred, other];
  if (!isPowerful(dropped)) return chosen;
  const kept = capabilitiesOf(chosen, new Set());
  for (const capability of capabilitiesOf(dropped, new Set())) {
    if (!kept.has(capability)) {
      reportEscape(reporter, dropped, node, 'is one of two values chosen at run time');
      break;
    }
  }
  return chosen;
}

/** A tracked value used as a whole where only `process.env` matters (a template, `for-in`). */
export function reportWholeValueUse(
  reporter: ScanReporter,
  value: AbstractValue,
  node: BabelTypes.Node,
): void {
  if (value !== UNKNOWN && value.kind === 'global' && value.path === 'process.env') {
    reporter.report('ENV_READ', node, 'reads the whole of process.env', null);
  }
}
