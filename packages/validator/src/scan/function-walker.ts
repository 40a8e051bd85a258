import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  type FunctionValue,
  GLOBAL_OBJECT_VALUE,
  MAYBE_GLOBAL_VALUE,
  UNKNOWN,
} from './abstract-value';
import { collectDeclaredNames } from './declares-name';
import { isPowerful, reportEscape } from './escape-rules';
import { type FunctionNode, FunctionRecord } from './function-record';
import { commonJsArguments } from './global-values';
import type { ScanEngine } from './scan-reporter';
import type { Scope } from './scope';
import { ScopeWalker } from './scope-walker';

/** How often one function's body may be analysed (again, with other arguments bound). */
const MAX_ANALYSES = 3;
/** How often an interop helper may be: compiled files call one per import. */
const MAX_HELPER_ANALYSES = 256;
/**
 * How much analysing again one file may cause, in characters of function source per character of
 * the file: functions analysed again define functions analysed again, so without a cap a file
 * could make the walk take time exponential in its nesting.
 */
export const REANALYSIS_FACTOR = 8;

/** Whether a list of directives holds `'use strict'`. */
export function hasUseStrict(directives: readonly BabelTypes.Directive[] | undefined): boolean {
  if (directives === undefined) return false;
  for (let index = 0; index < directives.length; index++) {
    if (directives[index]!.value.value === 'use strict') return true;
  }
  return false;
}

/** Whether a function's body is `return this` at its top level (the global-object shim). */
function returnsThis(node: FunctionNode): boolean {
  const body = node.body;
  if (body.type !== 'BlockStatement') return false;
  for (let index = 0; index < body.body.length; index++) {
    const statement = body.body[index]!;
    if (statement.type === 'ReturnStatement' && statement.argument?.type === 'ThisExpression') return true;
  }
  return false;
}

/** Whether two powerful values are the same one (values are rebuilt, so identity is not enough). */
function sameValue(left: AbstractValue, right: AbstractValue): boolean {
  if (left === right) return true;
  if (left.kind === 'global' && right.kind === 'global') return left.path === right.path;
  if (left.kind === 'module' && right.kind === 'module')
    return left.module === right.module && left.path === right.path;
  return false;
}

/**
 * The function half of the scan: functions are recorded where they are defined and analysed
 * when their scope ends (an immediately invoked one at once), with the dangerous values passed
 * to them bound to their parameters, `this` as the function will see it, and `return` of a
 * dangerous value reported as an escape.
 */
export abstract class FunctionWalker extends ScopeWalker implements ScanEngine {
  /** What `this` is where the walk is. */
  protected thisValue: AbstractValue = UNKNOWN;
  /** Scans a parsed program: its code, then the functions it defines. */
  override scanProgram(program: BabelTypes.Program): void {
    this.strict = program.sourceType === 'module' || hasUseStrict(program.directives);
    this.programBody = program.body;
    this.reanalysisBudget = REANALYSIS_FACTOR * ((program.end ?? 0) - (program.start ?? 0));
    // The wrapper's `arguments` (require, module) is visible to the file's own top-level code;
    // functions analysed once it has run have their own (see FunctionWalker.analyzeFunction).
    this.moduleArguments = program.sourceType !== 'module';
    if (this.moduleArguments) this.table.defineGlobal('arguments', commonJsArguments(this.file));
    this.visitStatements(program.body);
    if (this.moduleArguments) this.table.defineGlobal('arguments', UNKNOWN);
    this.moduleArguments = false;
    this.drainScope();
  }

  /** Scans evaluated code as a sloppy script; returns the value of its last expression statement. */
  scanEvaluatedProgram(program: BabelTypes.Program): AbstractValue {
    this.strict = hasUseStrict(program.directives);
    this.programBody = program.body;
    this.reanalysisBudget = REANALYSIS_FACTOR * ((program.end ?? 0) - (program.start ?? 0));
    const body = program.body;
    const last = body[body.length - 1];
    this.hoist(body);
    for (let index = 0; index < body.length - 1; index++) this.visit(body[index]!);
    const value = last?.type === 'ExpressionStatement' ? this.visit(last.expression) : UNKNOWN;
    if (last !== undefined && last.type !== 'ExpressionStatement') this.visit(last);
    this.drainScope();
    return value;
  }

  /** Whether the code where the walk is runs in strict mode. */
  protected strict = false;
  /** The function whose body the walk is in. */
  protected currentFunction: FunctionRecord | undefined;
  /** The immediately invoked function whose returns are being collected. */
  private collectingFor: FunctionRecord | undefined;
  /** What it returned so far: one value, UNKNOWN when several, undefined while none. */
  private returned: AbstractValue | undefined;

  /** Notes a value returned where the walk is, when it is the immediately invoked function's own return. */
  protected noteReturn(value: AbstractValue): void {
    if (this.collectingFor === undefined || this.collectingFor !== this.currentFunction) return;
    if (this.returned === undefined) this.returned = value;
    else if (this.returned !== value && !sameValue(this.returned, value)) this.returned = UNKNOWN;
  }

  /**
   * Analyses an immediately invoked function at once and returns what it returns, when that is
   * one value: `var helper = (function () { ...; return function (mod) {...}; })()` gives
   * `helper` that inner function, so calls of it are followed.
   */
  protected analyzeInvokedFunction(record: FunctionRecord): AbstractValue {
    const savedReturned = this.returned;
    const savedCollecting = this.collectingFor;
    this.returned = undefined;
    this.collectingFor = record;
    try {
      this.analyzeFunction(record);
      const body = record.node.body;
      // A block may also end without a return: then the call can give undefined too.
      const endsWithReturn =
        body.type !== 'BlockStatement' || body.body[body.body.length - 1]?.type === 'ReturnStatement';
      return this.returned !== undefined && endsWithReturn ? this.returned : UNKNOWN;
    } finally {
      this.returned = savedReturned;
      this.collectingFor = savedCollecting;
    }
  }

  /**
   * How many characters of function source may still be analysed again; set from the program's
   * length when the scan starts.
   */
  protected reanalysisBudget = 0;

  /** Whether the walk is in the body of an interop helper, which hands its argument back. */
  override get inHelper(): boolean {
    return this.currentFunction?.helper === true;
  }

  /** Whether the CommonJS wrapper's `arguments` is visible (the file's top level is running). */
  protected moduleArguments = false;
  /** The statements of the program, for {@link FunctionWalker.declaresLocally} at its top level. */
  protected programBody: readonly BabelTypes.Statement[] = [];

  /** The names the program declares at its top level, once asked for. */
  private programNames: Set<string> | undefined;

  protected override declaresLocally(name: string): boolean {
    const record = this.currentFunction;
    if (record === undefined) {
      this.programNames ??= collectDeclaredNames([], this.programBody);
      return this.programNames.has(name);
    }
    if (record.declaredNames === undefined) {
      const body = record.node.body;
      record.declaredNames = collectDeclaredNames(
        record.node.params,
        body.type === 'BlockStatement' ? body.body : [],
      );
    }
    return record.declaredNames.has(name);
  }

  /** Records a function defined where the walk is, to be analysed when this scope ends. */
  protected defineFunction(node: FunctionNode): AbstractValue {
    const { type } = node;
    const plain = type === 'FunctionDeclaration' || type === 'FunctionExpression';
    const strict = this.strict || (node.body.type === 'BlockStatement' && hasUseStrict(node.body.directives));
    const sloppy = plain && !strict;
    return this.recordFunction(
      new FunctionRecord({
        node,
        scope: this.table.current,
        thisValue:
          type === 'ArrowFunctionExpression' ? this.thisValue : sloppy ? MAYBE_GLOBAL_VALUE : UNKNOWN,
        strict,
        helper: this.currentFunction?.helper ?? false,
        // A sloppy object method (`{ g() { return this; } }`) keeps `this` unknown inside (it is
        // most often called on its object), but taken off it and called plainly it returns the
        // global object as a plain function would.
        returns: sloppy || (type === 'ObjectMethod' && !strict) ? 'maybe-global' : undefined,
      }),
    );
  }

  private recordFunction(record: FunctionRecord): FunctionRecord {
    const scope = this.table.current;
    if (scope.closures === undefined) scope.closures = [record];
    else scope.closures.push(record);
    return record;
  }

  /** Analyses what the current scope defined, before it ends: every binding is final now. */
  protected drainScope(): void {
    const scope = this.table.current;
    const closures = scope.closures;
    if (closures === undefined) return;
    scope.draining = true;
    // Analyses may queue more (a function called with new arguments): the length is read each time.
    for (let index = 0; index < closures.length; index++) {
      const record = closures[index]!;
      if (record.pending) this.analyzeFunction(record);
    }
    scope.draining = false;
    for (let marked: Scope | undefined = scope; marked !== undefined; marked = marked.parent) {
      marked.closuresAnalyzed = true;
      if (marked.isFunction) break;
    }
  }

  /** Analyses a function's body in a scope of its own under the current one (its defining scope). */
  protected analyzeFunction(record: FunctionRecord): void {
    record.pending = false;
    record.analyses += 1;
    const savedThis = this.thisValue;
    const savedStrict = this.strict;
    const savedFunction = this.currentFunction;
    this.thisValue = record.thisValue;
    this.strict = record.strict;
    this.currentFunction = record;
    const node = record.node;
    this.table.enter(true);
    try {
      if (node.type === 'FunctionExpression' && node.id) {
        this.table.bind(this.table.current, node.id.name, record);
      }
      const bound = record.boundArguments;
      const params = node.params;
      for (let index = 0; index < params.length; index++) {
        const parameter = params[index]!;
        // TypeScript's parameter decorators run when the class is defined: they are code too.
        const decorators = 'decorators' in parameter ? parameter.decorators : undefined;
        if (decorators) for (const decorator of decorators) this.visit(decorator);
        if (parameter.type === 'Identifier') {
          this.declareName(parameter.name, bound?.[index] ?? UNKNOWN, 'param', parameter);
        } else if (parameter.type === 'RestElement') {
          const rest: AbstractValue =
            bound === undefined ? UNKNOWN : { kind: 'array', elements: bound.slice(index) };
          this.bindPattern(parameter.argument, rest, 'param');
        } else {
          this.bindPattern(parameter, bound?.[index] ?? UNKNOWN, 'param');
        }
      }
      // Every function has its own `arguments`: it must hide the CommonJS wrapper's (require,
      // module) while the file's top level runs; after that only bound arguments are worth a binding.
      if (node.type !== 'ArrowFunctionExpression' && (bound !== undefined || this.moduleArguments)) {
        this.table.bind(
          this.table.current,
          'arguments',
          bound === undefined ? UNKNOWN : { kind: 'array', elements: [...bound] },
        );
      }
      const body = node.body;
      if (body.type === 'BlockStatement') this.visitStatements(body.body);
      else {
        const value = this.visit(body);
        this.noteReturn(value);
        this.escapeReturned(value, body);
      }
      this.drainScope();
    } finally {
      this.table.exit();
      this.thisValue = savedThis;
      this.strict = savedStrict;
      this.currentFunction = savedFunction;
    }
  }

  /** A value returned from the function the walk is in leaves what the scan follows. */
  protected escapeReturned(value: AbstractValue, node: BabelTypes.Node): void {
    if (value === UNKNOWN) return;
    const record = this.currentFunction;
    // A helper returns what it was given: its callers take the result as their argument.
    if (record === undefined || record.helper) return;
    reportEscape(this, value, node, 'is returned from a function');
  }

  /**
   * A call of a function value: a function of the file gets the dangerous values passed to it
   * bound to its parameters (or, when its body can no longer be analysed, they escape); the
   * result is the global object for a plain call of a `return this` function.
   */
  callFunction(
    callee: FunctionValue,
    args: readonly AbstractValue[],
    node: BabelTypes.Node,
    plain: boolean,
  ): AbstractValue {
    const record = callee.record;
    if (record === undefined) {
      for (let index = 0; index < args.length; index++) {
        reportEscape(this, args[index]!, node, 'is passed to a function the scan cannot follow');
      }
    } else {
      this.bindArguments(record, args, node);
      if (record.helper) return args[0] ?? UNKNOWN;
    }
    if (!plain || callee.returns === undefined) return UNKNOWN;
    // Whether the body returns `this` is looked at on the first plain call only: most functions are not called so.
    if (record !== undefined && record.returns === 'maybe-global' && returnsThis(record.node))
      record.returns = 'global';
    return (record?.returns ?? callee.returns) === 'global' ? GLOBAL_OBJECT_VALUE : MAYBE_GLOBAL_VALUE;
  }

  /**
   * Binds the dangerous arguments of a call to the parameters of a function of the file. A
   * function not analysed yet (or being analysed as its scope ends) gets them for its analysis;
   * one analysed already is analysed again now, in its own scope put back, with these arguments.
   * Past the limits of re-analysis they escape instead.
   */
  protected bindArguments(
    record: FunctionRecord,
    args: readonly AbstractValue[],
    node: BabelTypes.Node,
  ): void {
    let powerful: AbstractValue[] | undefined;
    for (let index = 0; index < args.length; index++) {
      const value = args[index]!;
      if (value === UNKNOWN || !isPowerful(value)) continue;
      powerful ??= [];
      while (powerful.length < index) powerful.push(UNKNOWN);
      powerful[index] = value;
    }
    if (powerful === undefined) return;
    if (record.pending || (record.scope.draining && !record.scope.closed)) {
      this.addBoundArguments(record, powerful, node);
      return;
    }
    if (sameArguments(record.boundArguments, powerful)) return;
    const limit = record.helper ? MAX_HELPER_ANALYSES : MAX_ANALYSES;
    const size = (record.node.end ?? 0) - (record.node.start ?? 0);
    if (record.analyses >= limit || size > this.reanalysisBudget) {
      for (const value of powerful)
        reportEscape(this, value, node, 'is passed to a function the scan cannot follow any more');
      return;
    }
    this.reanalysisBudget -= size;
    record.boundArguments = powerful;
    this.analyzeAgain(record);
  }

  /** Adds arguments to those a pending analysis binds; a second, different dangerous value at one place escapes. */
  private addBoundArguments(
    record: FunctionRecord,
    powerful: readonly AbstractValue[],
    node: BabelTypes.Node,
  ): void {
    let changed = false;
    record.boundArguments ??= [];
    for (let index = 0; index < powerful.length; index++) {
      const value = powerful[index]!;
      if (value === UNKNOWN) continue;
      const current = record.boundArguments[index];
      if (current === undefined || current === UNKNOWN) {
        while (record.boundArguments.length < index) record.boundArguments.push(UNKNOWN);
        record.boundArguments[index] = value;
        changed = true;
      } else if (!sameValue(current, value)) {
        reportEscape(this, value, node, 'is passed where the function already receives another such value');
      }
    }
    if (changed && !record.pending) {
      record.pending = true;
      record.scope.closures!.push(record);
    }
  }

  /** Analyses a function again now: the scopes it was defined in, if ended, are put back meanwhile. */
  private analyzeAgain(record: FunctionRecord): void {
    const ended: Scope[] = [];
    for (let scope: Scope | undefined = record.scope; scope?.closed; scope = scope.parent)
      ended.unshift(scope);
    this.table.reopen(ended);
    try {
      this.analyzeFunction(record);
    } finally {
      this.table.unreopen(ended);
    }
  }
}

/** Whether two lists of bound arguments hold the same dangerous values. */
function sameArguments(left: readonly AbstractValue[] | undefined, right: readonly AbstractValue[]): boolean {
  if (left === undefined || left.length !== right.length) return false;
  for (let index = 0; index < right.length; index++) {
    if (!sameValue(left[index] ?? UNKNOWN, right[index]!)) return false;
  }
  return true;
}
