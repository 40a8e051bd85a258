import { type AbstractValue, UNKNOWN } from './abstract-value';
import type { FunctionRecord } from './function-record';

/** A lexical scope: a block, a function or the program. */
export class Scope {
  readonly parent: Scope | undefined;
  /** Whether this is a function (or program) scope, where `var` lands. */
  readonly isFunction: boolean;
  /** Names this scope pushed onto the binding table, popped when it ends. */
  names: string[] | undefined;
  /** Functions defined directly in this scope, analysed when it ends. */
  closures: FunctionRecord[] | undefined;
  /** Whether the scope is ending and analysing its functions. */
  draining = false;
  /** Whether the scope has ended: its functions can no longer be analysed again. */
  closed = false;
  /** Whether functions defined in this scope or below it have been analysed already. */
  closuresAnalyzed = false;
  /**
   * The values of `names` when the scope ended, kept when functions were defined in it: one of
   * them may be called later with a dangerous argument, and is then analysed again in this scope.
   */
  values: AbstractValue[] | undefined;

  constructor(parent: Scope | undefined, isFunction: boolean) {
    this.parent = parent;
    this.isFunction = isFunction;
  }

  /** The nearest enclosing function scope (itself when it is one). */
  functionScope(): Scope {
    let scope: Scope = this;
    while (!scope.isFunction && scope.parent !== undefined) scope = scope.parent;
    return scope;
  }

  /** The program scope. */
  root(): Scope {
    let scope: Scope = this;
    while (scope.parent !== undefined) scope = scope.parent;
    return scope;
  }
}

interface Binding {
  scope: Scope | undefined;
  value: AbstractValue;
}

/**
 * Every binding in force, as one stack per name: a lookup is one map access however deep the
 * scopes nest. Scopes push their names as they declare them and pop them when they end. Below
 * every stack lie the shared globals, which no scan changes, so no table copies them.
 */
export class BindingTable {
  private readonly stacks = new Map<string, Binding[]>();
  private readonly globals: ReadonlyMap<string, AbstractValue>;
  /** The scope the walk is in. */
  current: Scope = new Scope(undefined, true);

  /** A table over `globals`, the values of free names that are not UNKNOWN. */
  constructor(globals: ReadonlyMap<string, AbstractValue>) {
    this.globals = globals;
  }

  /** Defines a global of this table only, below every scope; it hides a shared global of the same name. */
  defineGlobal(name: string, value: AbstractValue): void {
    this.stacks.set(name, [{ scope: undefined, value }]);
  }

  /** The value `name` resolves to here; UNKNOWN for a free name. */
  lookup(name: string): AbstractValue {
    const stack = this.stacks.get(name);
    return stack === undefined ? (this.globals.get(name) ?? UNKNOWN) : stack[stack.length - 1]!.value;
  }

  /** The scope that binds `name` where the walk is; undefined for a free or global name. */
  scopeOf(name: string): Scope | undefined {
    const stack = this.stacks.get(name);
    return stack === undefined ? undefined : stack[stack.length - 1]!.scope;
  }

  /** Whether `scope` itself binds `name`. */
  has(scope: Scope, name: string): boolean {
    const stack = this.stacks.get(name);
    return stack !== undefined && stack[stack.length - 1]!.scope === scope;
  }

  /**
   * Binds `name` in `scope`; returns the value it replaces when `scope` bound it already. A name
   * bound to nothing known that would resolve to nothing known anyway is not stored: most
   * bindings are plain locals, and skipping them keeps the table small.
   */
  bind(scope: Scope, name: string, value: AbstractValue): AbstractValue | undefined {
    const stack = this.stacks.get(name);
    const top = stack === undefined ? undefined : stack[stack.length - 1]!;
    if (top !== undefined && top.scope === scope) {
      const previous = top.value;
      top.value = value;
      return previous;
    }
    if (value === UNKNOWN && (top === undefined ? !this.globals.has(name) : top.value === UNKNOWN))
      return undefined;
    if (stack === undefined) this.stacks.set(name, [{ scope, value }]);
    else stack.push({ scope, value });
    scope.names ??= [];
    scope.names.push(name);
    return undefined;
  }

  /**
   * Binds `name` in `scope` unless `scope` binds it already: what a declaration hoisted to the
   * top of its scope does. One lookup where `has` then `bind` would take two.
   */
  declareOnce(scope: Scope, name: string, value: AbstractValue): void {
    const stack = this.stacks.get(name);
    if (stack === undefined) {
      if (value === UNKNOWN && !this.globals.has(name)) return;
      this.stacks.set(name, [{ scope, value }]);
    } else {
      const top = stack[stack.length - 1]!;
      if (top.scope === scope || (value === UNKNOWN && top.value === UNKNOWN)) return;
      stack.push({ scope, value });
    }
    scope.names ??= [];
    scope.names.push(name);
  }

  /** Assigns to `name` where it is bound, or in the current function when not; returns the value it had. */
  assign(name: string, value: AbstractValue): AbstractValue {
    const stack = this.stacks.get(name);
    const top = stack === undefined ? undefined : stack[stack.length - 1]!;
    if (top !== undefined && top.scope !== undefined) {
      const previous = top.value;
      top.value = value;
      return previous;
    }
    const previous = top === undefined ? (this.globals.get(name) ?? UNKNOWN) : top.value;
    // Not in the table: a local the table left out (it held nothing tracked) or an implicit
    // global. Bound in the current function: a global's value is not carried to other functions
    // (they read it as unknown); a dangerous one is reported where it is stored.
    this.bind(this.current.functionScope(), name, value);
    return previous;
  }

  /** Enters a new scope. */
  enter(isFunction: boolean): void {
    this.current = new Scope(this.current, isFunction);
  }

  /** Leaves the current scope, dropping its bindings (kept on the scope when it defined functions). */
  exit(): void {
    const scope = this.current;
    const names = scope.names;
    if (names !== undefined) {
      if (scope.closures !== undefined) scope.values = this.drop(names, true);
      else this.drop(names, false);
    }
    scope.closed = true;
    if (scope.parent !== undefined) this.current = scope.parent;
  }

  /**
   * Puts the bindings of ended scopes back, outermost first, so a function defined in them can be
   * analysed again where it was defined; {@link BindingTable.unreopen} takes them off again.
   */
  reopen(scopes: readonly Scope[]): void {
    for (const scope of scopes) {
      const names = scope.names;
      const values = scope.values;
      if (names === undefined || values === undefined) continue;
      for (let index = 0; index < names.length; index++) {
        const name = names[index]!;
        const value = values[index];
        if (value === undefined) continue;
        const stack = this.stacks.get(name);
        const binding = { scope, value };
        if (stack === undefined) this.stacks.set(name, [binding]);
        else stack.push(binding);
      }
    }
  }

  /** Takes off what {@link BindingTable.reopen} put back. */
  unreopen(scopes: readonly Scope[]): void {
    for (let index = scopes.length - 1; index >= 0; index--) {
      const scope = scopes[index]!;
      const names = scope.names;
      const values = scope.values;
      if (names === undefined || values === undefined) continue;
      this.drop(
        names.filter((_name, position) => values[position] !== undefined),
        false,
      );
    }
  }

  /** Pops the bindings a scope pushed; returns their values, in the order of `names`, when asked. */
  private drop(names: readonly string[], keep: boolean): AbstractValue[] | undefined {
    const values: AbstractValue[] | undefined = keep ? new Array(names.length) : undefined;
    for (let index = names.length - 1; index >= 0; index--) {
      const name = names[index]!;
      const stack = this.stacks.get(name);
      if (stack === undefined) continue;
      const binding = stack.pop();
      if (values !== undefined && binding !== undefined) values[index] = binding.value;
      if (stack.length === 0) this.stacks.delete(name);
    }
    return values;
  }
}
