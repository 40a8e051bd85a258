import type { AbstractValue } from './abstract-value';

/** A lexical scope: the names it declares and what the scan knows about their values. */
export class Scope {
  readonly parent: Scope | undefined;
  /** Whether this is a function (or program) scope, where `var` lands. */
  readonly isFunction: boolean;
  private bindings: Map<string, AbstractValue> | undefined;

  constructor(parent: Scope | undefined, isFunction: boolean) {
    this.parent = parent;
    this.isFunction = isFunction;
  }

  /** Declares `name` here with `value`, shadowing outer scopes. */
  declare(name: string, value: AbstractValue): void {
    this.bindings ??= new Map();
    this.bindings.set(name, value);
  }

  /** Whether this scope itself declares `name`. */
  has(name: string): boolean {
    return this.bindings?.has(name) === true;
  }

  /** The value bound to `name` in this scope (not its parents). */
  own(name: string): AbstractValue | undefined {
    return this.bindings?.get(name);
  }

  /** The nearest enclosing function scope (itself when it is one). */
  functionScope(): Scope {
    let scope: Scope = this;
    while (!scope.isFunction && scope.parent !== undefined) scope = scope.parent;
    return scope;
  }

  /** The scope declaring `name`, searching outwards, or undefined for a free (global) name. */
  findDeclaring(name: string): Scope | undefined {
    for (let scope: Scope | undefined = this; scope !== undefined; scope = scope.parent) {
      if (scope.bindings?.has(name)) return scope;
    }
    return undefined;
  }
}
