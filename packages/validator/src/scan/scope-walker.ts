import type * as BabelTypes from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_VALUE,
  literalValue,
  propertyKeyOf,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { isPowerful, reportEscape } from './escape-rules';
import { type FindingCode, FindingCodes } from './finding-codes';
import { forgetElements, forgetMembers, MAX_FOLDED_ARRAY_LENGTH } from './fold-builtins';
import type { FunctionNode } from './function-record';
import { GLOBAL_VALUES } from './global-values';
import { importModule } from './import-rules';
import { getMember } from './member-rules';
import type { ScanReporter } from './scan-reporter';
import { type CapabilityUse, type ImportRecord, PLUGIN_FOLDER_MARKER } from './scan-result';
import { BindingTable, type Scope } from './scope';
import { checkStoreInto, describeTarget } from './store-rules';

/** How a name is bound: by a declaration of a kind, as a parameter, or by an assignment. */
export type BindingKind = 'var' | 'let' | 'const' | 'param' | 'assign';

/**
 * The scope half of the scan: the findings and imports recorded so far, the binding table, and
 * what declarations, hoisting and destructuring bind. {@link SourceScanner} adds the visitor.
 */
/**
 * `list[index] = value` and `list.length = n` on a folded array, as the engine does them;
 * false when the key is neither (the caller treats it as any other member).
 */
function storeElement(elements: AbstractValue[], key: string, value: AbstractValue): boolean {
  if (key === 'length') {
    const length = value.kind === 'literal' && typeof value.value === 'number' ? value.value : undefined;
    if (length !== undefined && Number.isInteger(length) && length >= 0 && length <= elements.length)
      elements.length = length;
    else forgetElements(elements);
    return true;
  }
  if (!/^\d+$/.test(key)) return false;
  const index = Number(key);
  if (index < elements.length) elements[index] = value;
  else if (index === elements.length && index < MAX_FOLDED_ARRAY_LENGTH) elements.push(value);
  else {
    // Past the end: the array is no longer folded, and the value goes where the scan cannot follow.
    forgetElements(elements);
    return false;
  }
  return true;
}

export abstract class ScopeWalker implements ScanReporter {
  readonly uses: CapabilityUse[] = [];
  readonly imports: ImportRecord[] = [];
  protected readonly file: string;
  protected readonly table: BindingTable = new BindingTable(GLOBAL_VALUES);
  private readonly reported = new Set<string>();

  /** A walker for the file at `file`, relative to the plugin folder. */
  constructor(file: string) {
    this.file = file;
    this.table.defineGlobal('__filename', literalValue(`${PLUGIN_FOLDER_MARKER}/${file}`));
  }

  /** Scans a parsed program. */
  scanProgram(program: BabelTypes.Program): void {
    this.visitStatements(program.body);
  }

  /** Records a finding at `node`. */
  report(
    code: FindingCode,
    node: BabelTypes.Node,
    message: string,
    target: string | null | undefined = undefined,
  ): void {
    this.reportAt(
      code,
      { line: node.loc?.start.line ?? 1, column: (node.loc?.start.column ?? 0) + 1 },
      message,
      target,
    );
  }

  /** Records a finding at a 1-based line and column. */
  reportAt(
    code: FindingCode,
    position: { line: number; column: number },
    message: string,
    target: string | null | undefined = undefined,
  ): void {
    const { line, column } = position;
    const key = `${code}\u0000${line}\u0000${column}\u0000${target}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const info = FindingCodes[code];
    this.uses.push({
      finding: {
        code,
        capability: info.capability,
        severity: info.severity,
        file: this.file,
        line,
        column,
        message,
      },
      target,
    });
  }

  /** Records a module loaded with a statically known name, at `node`. */
  recordImport(specifier: string, node: BabelTypes.Node): void {
    this.imports.push({
      specifier,
      line: node.loc?.start.line ?? 1,
      column: (node.loc?.start.column ?? 0) + 1,
    });
  }

  /** Visits a node once and returns what the scan knows about its value. */
  abstract visit(node: BabelTypes.Node): AbstractValue;

  /** Scans code the file builds and runs, reporting at `node` what it reaches (see {@link ScanReporter}). */
  abstract scanEvaluatedCode(code: string, node: BabelTypes.Node, parameters?: string): AbstractValue;

  /** Whether the walk is in the body of an interop helper, which hands its argument around by design. */
  abstract get inHelper(): boolean;

  /** Whether the function (or program) the walk is in declares `name` itself. */
  protected abstract declaresLocally(name: string): boolean;

  /** Records a function defined where the walk is; returns its value. */
  protected abstract defineFunction(node: FunctionNode): AbstractValue;

  protected visitStatements(statements: readonly BabelTypes.Statement[]): void {
    this.hoist(statements);
    for (let index = 0; index < statements.length; index++) this.visit(statements[index]!);
  }

  /** Declares what a block declares before running it, so later declarations shadow earlier uses. */
  protected hoist(statements: readonly BabelTypes.Node[]): void {
    for (let index = 0; index < statements.length; index++) this.hoistDeclaration(statements[index]!);
  }

  /** Declares what one statement declares; an export declares what its declaration does. */
  protected hoistDeclaration(statement: BabelTypes.Node): void {
    switch (statement.type) {
      case 'VariableDeclaration': {
        const target = statement.kind === 'var' ? this.table.current.functionScope() : this.table.current;
        const declarators = statement.declarations;
        for (let index = 0; index < declarators.length; index++) {
          this.declareNamesOnce(declarators[index]!.id, target, UNKNOWN);
        }
        return;
      }
      case 'FunctionDeclaration':
        // Recorded now, so calls above the declaration bind their arguments to it.
        if (statement.id && !statement.declare) {
          this.table.bind(this.table.current, statement.id.name, this.defineFunction(statement));
        }
        return;
      case 'ClassDeclaration':
        if (statement.id) this.table.bind(this.table.current, statement.id.name, FUNCTION_VALUE);
        return;
      case 'ImportDeclaration':
        this.visitImportDeclaration(statement);
        return;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        if (statement.declaration) this.hoistDeclaration(statement.declaration);
        return;
      default:
        return;
    }
  }

  /**
   * Binds every name of a binding pattern in `scope` to `value`, unless `scope` already binds it.
   * Recursion instead of a callback: a closure here would be allocated for every declaration.
   */
  protected declareNamesOnce(
    pattern: BabelTypes.Node | null | undefined,
    scope: Scope,
    value: AbstractValue,
  ): void {
    if (!pattern) return;
    switch (pattern.type) {
      case 'Identifier':
        this.table.declareOnce(scope, pattern.name, value);
        return;
      case 'ObjectPattern':
        for (let index = 0; index < pattern.properties.length; index++) {
          const property = pattern.properties[index]!;
          this.declareNamesOnce(
            property.type === 'RestElement' ? property.argument : property.value,
            scope,
            value,
          );
        }
        return;
      case 'ArrayPattern':
        if (value.kind !== 'array') reportEscape(this, value, pattern, 'is iterated by destructuring');
        for (let index = 0; index < pattern.elements.length; index++) {
          this.declareNamesOnce(pattern.elements[index], scope, value);
        }
        return;
      case 'AssignmentPattern':
        this.declareNamesOnce(pattern.left, scope, value);
        return;
      case 'RestElement':
        this.declareNamesOnce(pattern.argument, scope, value);
        return;
      case 'TSParameterProperty':
        this.declareNamesOnce(pattern.parameter, scope, value);
        return;
      default:
        return;
    }
  }

  protected visitImportDeclaration(node: BabelTypes.ImportDeclaration): void {
    if (node.importKind === 'type' || node.importKind === 'typeof') return;
    const moduleValue = importModule(this, literalValue(node.source.value), node.source, 'import');
    for (const specifier of node.specifiers) {
      if (specifier.type === 'ImportSpecifier' && specifier.importKind === 'type') continue;
      let value: AbstractValue = moduleValue;
      if (specifier.type === 'ImportSpecifier') {
        const imported =
          specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value;
        if (imported !== 'default') value = getMember(this, moduleValue, imported, specifier);
      }
      this.table.bind(this.table.current, specifier.local.name, value);
    }
  }
  protected visitVariableDeclaration(node: BabelTypes.VariableDeclaration): void {
    const kind: BindingKind = node.kind === 'var' ? 'var' : node.kind === 'let' ? 'let' : 'const';
    const declarators = node.declarations;
    for (let index = 0; index < declarators.length; index++) {
      const declarator = declarators[index]!;
      const value = declarator.init ? this.visit(declarator.init) : UNDEFINED_VALUE;
      if (declarator.init === null || declarator.init === undefined) {
        // `let x;` without a value keeps what hoisting declared.
        const target = kind === 'var' ? this.table.current.functionScope() : this.table.current;
        this.declareNamesOnce(declarator.id, target, UNDEFINED_VALUE);
        continue;
      }
      this.bindPattern(declarator.id, value, kind);
    }
  }

  /** Binds or assigns `name`; `node` is where, for the findings of a dangerous value stored in it. */
  protected declareName(name: string, value: AbstractValue, kind: BindingKind, node?: BabelTypes.Node): void {
    if (kind === 'var') {
      // `var x = eval; ... var x = 1;` reassigns x: the value it replaces may have been captured.
      const scope = this.table.current.functionScope();
      const previous = this.table.bind(scope, name, value);
      if (node !== undefined && previous !== undefined && previous !== UNKNOWN && previous !== value) {
        if (this.keepsDangerousValue(name, previous, value, node)) this.table.bind(scope, name, previous);
      }
    } else if (kind === 'assign') {
      // The common assignment stores nothing dangerous: one table access, and a look at what it replaced.
      if (node !== undefined && value !== UNKNOWN && isPowerful(value))
        this.checkAssignment(name, value, node);
      const previous = this.table.assign(name, value);
      if (node !== undefined && previous !== UNKNOWN && previous !== value) {
        if (this.keepsDangerousValue(name, previous, value, node)) this.table.assign(name, previous);
      }
    } else {
      this.table.bind(this.table.current, name, value);
    }
  }

  /**
   * A dangerous value stored in a variable where functions may read it out of the order the walk
   * follows: in a variable of an enclosing function, a global, or a variable some function was
   * already analysed against. Each is an escape.
   */
  private checkAssignment(name: string, value: AbstractValue, node: BabelTypes.Node): void {
    const scope = this.table.scopeOf(name);
    if (scope === undefined) {
      // Not in the table: a global, or a variable the table left out because it held nothing.
      if (!this.declaresLocally(name)) {
        reportEscape(
          this,
          value,
          node,
          `is stored in ${name}, a variable of an enclosing function or a global`,
        );
      } else if (this.table.current.functionScope().closuresAnalyzed) {
        reportEscape(this, value, node, `is stored in ${name} after functions that read it were analysed`);
      }
    } else if (scope.functionScope() !== this.table.current.functionScope()) {
      reportEscape(this, value, node, `is stored in ${name}, a variable of an enclosing function`);
    } else if (scope.closuresAnalyzed) {
      reportEscape(this, value, node, `is stored in ${name} after functions that read it were analysed`);
    }
  }

  /** A variable holding a dangerous value gets another: code that captured it may still hold the first. */
  /**
   * A variable that held a dangerous value gets another value. Functions analysed when the scope
   * ends would see only the last value, though one that captured the variable earlier may run with
   * the dangerous one: so the dangerous value stays (the scan treats the variable as holding it
   * from then on). A second, different dangerous value makes the first escape here. Returns
   * whether to keep the first.
   */
  private keepsDangerousValue(
    name: string,
    current: AbstractValue,
    value: AbstractValue,
    node: BabelTypes.Node,
  ): boolean {
    if (this.inHelper || !isPowerful(current)) return false;
    if (value === UNKNOWN || !isPowerful(value)) return true;
    if (current.kind === 'global' && value.kind === 'global' && current.path === value.path) return false;
    reportEscape(
      this,
      current,
      node,
      `was held by ${name}, which is given another such value; functions that captured ${name} may still hold the first`,
    );
    return false;
  }

  /** Binds the names of a pattern to the parts of `value` they destructure. */
  protected bindPattern(pattern: BabelTypes.Node, value: AbstractValue, kind: BindingKind): void {
    switch (pattern.type) {
      case 'Identifier':
        this.declareName(pattern.name, value, kind, pattern);
        return;
      case 'ObjectPattern':
        for (let index = 0; index < pattern.properties.length; index++) {
          const property = pattern.properties[index]!;
          if (property.type === 'RestElement') {
            reportEscape(this, value, property, 'is copied by a rest pattern');
            this.bindPattern(property.argument, UNKNOWN, kind);
            continue;
          }
          const key = property.computed
            ? propertyKeyOf(this.visit(property.key))
            : property.key.type === 'Identifier'
              ? property.key.name
              : property.key.type === 'StringLiteral' || property.key.type === 'NumericLiteral'
                ? String(property.key.value)
                : undefined;
          this.bindPattern(property.value, getMember(this, value, key, property), kind);
        }
        return;
      case 'ArrayPattern':
        for (let index = 0; index < pattern.elements.length; index++) {
          const element = pattern.elements[index];
          if (!element) continue;
          if (element.type === 'RestElement') {
            const rest: AbstractValue =
              value.kind === 'array' ? { kind: 'array', elements: value.elements.slice(index) } : UNKNOWN;
            this.bindPattern(element.argument, rest, kind);
            continue;
          }
          this.bindPattern(
            element,
            value.kind === 'array' ? (value.elements[index] ?? UNKNOWN) : UNKNOWN,
            kind,
          );
        }
        return;
      case 'AssignmentPattern': {
        const fallback = this.visit(pattern.right);
        const chosen =
          value.kind === 'unknown' || (value.kind === 'literal' && value.value === undefined)
            ? fallback
            : value;
        this.bindPattern(pattern.left, chosen, kind);
        return;
      }
      case 'RestElement':
        this.bindPattern(pattern.argument, UNKNOWN, kind);
        return;
      case 'TSParameterProperty': {
        const parameter = pattern.parameter;
        if (parameter.decorators) for (const decorator of parameter.decorators) this.visit(decorator);
        this.bindPattern(parameter, value, kind);
        // `constructor(public load = require)` also stores the parameter on the instance.
        const name =
          parameter.type === 'Identifier'
            ? parameter.name
            : parameter.left.type === 'Identifier'
              ? parameter.left.name
              : undefined;
        if (name !== undefined)
          reportEscape(
            this,
            this.table.lookup(name),
            pattern,
            'is stored on the instance by a parameter property',
          );
        return;
      }
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        this.assignMember(pattern, value);
        return;
      default:
        this.visit(pattern);
        return;
    }
  }

  /**
   * `object.key = value`: kept when the object is one the scan tracks; otherwise a dangerous
   * value escapes there. Replacing a built-in or registering a module loader is a finding too.
   */
  protected assignMember(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
    value: AbstractValue,
  ): void {
    const object = this.visit(node.object);
    const key = this.memberKey(node);
    getMember(this, object, key, node);
    if (object.kind === 'object' && key !== undefined) {
      object.properties.set(key, value);
      return;
    }
    if (object.kind === 'array' && key !== undefined && storeElement(object.elements, key, value)) return;
    // A key the scan cannot read may name any member: what the container folded to is stale.
    if (key === undefined) forgetMembers(object);
    // Most stores put something untracked into something untracked: nothing to build a message for.
    if (value !== UNKNOWN && isPowerful(value)) {
      reportEscape(this, value, node, `is stored in ${describeTarget(object, key)}`);
    }
    if (object !== UNKNOWN) checkStoreInto(this, object, key, node);
  }

  protected memberKey(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
  ): string | undefined {
    const property = node.property;
    if (!node.computed) return property.type === 'Identifier' ? property.name : undefined;
    // `object['key']`, `list[0]`: the key without building a value for it.
    if (property.type === 'StringLiteral') return property.value;
    if (property.type === 'NumericLiteral') return String(property.value);
    return propertyKeyOf(this.visit(property));
  }
}
