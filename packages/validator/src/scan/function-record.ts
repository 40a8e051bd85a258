import type * as BabelTypes from '@babel/types';
import { type AbstractValue, UNKNOWN } from './abstract-value';
import type { Scope } from './scope';

/** A function written in the file: a declaration, an expression, an arrow or a method. */
export type FunctionNode =
  | BabelTypes.FunctionDeclaration
  | BabelTypes.FunctionExpression
  | BabelTypes.ArrowFunctionExpression
  | BabelTypes.ObjectMethod
  | BabelTypes.ClassMethod
  | BabelTypes.ClassPrivateMethod;

/**
 * Names of the interop helpers TypeScript, Babel, SWC, esbuild and Rollup write into compiled
 * files (`__importDefault(require('fs'))`): a call of a helper defined in the file returns its
 * argument, and its body (analysed with the argument bound) may hand the module around without
 * that being an escape. Only helpers written in the file count: an imported one (tslib) is code
 * the scan does not follow.
 */
export const INTEROP_HELPERS: ReadonlySet<string> = new Set([
  // TypeScript
  '__importDefault',
  '__importStar',
  '__createBinding',
  '__setModuleDefault',
  '__exportStar',
  // Babel and SWC
  '_interopRequireDefault',
  '_interopRequireWildcard',
  '_getRequireWildcardCache',
  '_interop_require_default',
  '_interop_require_wildcard',
  '_export_star',
  // esbuild
  '__toESM',
  '__toCommonJS',
  '__copyProps',
  '__export',
  '__reExport',
  // Rollup
  '_interopDefault',
  '_interopDefaultLegacy',
  '_interopNamespace',
  '_interopNamespaceDefault',
  '_interopDefaultCompat',
  '_interopNamespaceCompat',
]);

/**
 * A function of the file, waiting to be analysed. Bodies are analysed when the scope that
 * defines them ends, with every binding of that scope in its final state, so a function sees
 * what it captured however the file orders its declarations and assignments. A dangerous value
 * passed to the function before then is bound to its parameter for that analysis.
 */
export class FunctionRecord {
  /** A record is its own value: one allocation per function, not two. */
  readonly kind = 'function' as const;
  /** Itself, as the `record` of a function value. */
  readonly record: FunctionRecord;
  /**
   * What a plain call returns when that may be the global object: set for sloppy plain
   * functions, `'global'` once a `return this` is seen (decided on the first plain call).
   */
  returns: 'global' | 'maybe-global' | undefined;
  readonly node: FunctionNode;
  /** The scope the function is defined in; its body's scope is a child of it. */
  readonly scope: Scope;
  /** `this` inside the body: an arrow's is its definer's; a sloppy plain function's may be the global object. */
  readonly thisValue: AbstractValue;
  readonly strict: boolean;
  /** Whether the function is an interop helper, or is defined inside one. */
  helper: boolean;
  /** Dangerous values passed to each parameter by the calls seen so far. */
  boundArguments: AbstractValue[] | undefined;
  /** How many times the body has been analysed. */
  analyses = 0;
  /** Whether an analysis is due (a new record, or new arguments bound after the last one). */
  pending = true;
  /** The names the function declares, once a dangerous assignment asked for them. */
  declaredNames: Set<string> | undefined;

  constructor(options: {
    node: FunctionNode;
    scope: Scope;
    thisValue: AbstractValue;
    strict: boolean;
    helper: boolean;
    returns: 'global' | 'maybe-global' | undefined;
  }) {
    this.record = this;
    this.returns = options.returns;
    this.node = options.node;
    this.scope = options.scope;
    this.thisValue = options.thisValue;
    this.strict = options.strict;
    this.helper = options.helper;
  }
}

/** Puts an argument at its position in a sparse list of arguments, unknown before it. */
export function placeArgument(
  values: AbstractValue[] | undefined,
  position: number,
  value: AbstractValue,
): AbstractValue[] {
  const list = values ?? [];
  while (list.length < position) list.push(UNKNOWN);
  list[position] = value;
  return list;
}
