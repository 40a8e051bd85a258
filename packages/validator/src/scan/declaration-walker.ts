import type * as BabelTypes from '@babel/types';
import { type AbstractValue, FUNCTION_VALUE, literalValue, UNKNOWN } from './abstract-value';
import { isPowerful, reportEscape, reportWholeValueUse } from './escape-rules';
import { FunctionWalker } from './function-walker';
import { importModule } from './import-rules';
import { getMember } from './member-rules';
import type { BindingKind } from './scope-walker';

/** Whether a block declares names of its own (let, const, class, function), so it needs a scope. */
function declaresLexically(statements: readonly BabelTypes.Statement[]): boolean {
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index]!;
    // One read of the type, not one per comparison: each is a megamorphic load.
    const { type } = statement;
    if (
      type === 'FunctionDeclaration' ||
      type === 'ClassDeclaration' ||
      type === 'TSEnumDeclaration' ||
      type === 'TSModuleDeclaration' ||
      (type === 'VariableDeclaration' && statement.kind !== 'var')
    ) {
      return true;
    }
  }
  return false;
}

/** The names a declaration binds (`export const { a, b } = ...`, `export function f`). */
function declaredNames(node: BabelTypes.Node | null | undefined, names: string[]): string[] {
  if (!node) return names;
  switch (node.type) {
    case 'Identifier':
      names.push(node.name);
      break;
    case 'VariableDeclaration':
      for (const declarator of node.declarations) declaredNames(declarator.id, names);
      break;
    case 'ObjectPattern':
      for (const property of node.properties)
        declaredNames(property.type === 'RestElement' ? property.argument : property.value, names);
      break;
    case 'ArrayPattern':
      for (const element of node.elements) declaredNames(element, names);
      break;
    case 'AssignmentPattern':
      declaredNames(node.left, names);
      break;
    case 'RestElement':
      declaredNames(node.argument, names);
      break;
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
    case 'TSEnumDeclaration':
    case 'TSModuleDeclaration':
    case 'TSImportEqualsDeclaration':
      if (node.id?.type === 'Identifier') names.push(node.id.name);
      break;
    default:
      break;
  }
  return names;
}

/**
 * The statements that open scopes or declare things: blocks, loops, `switch`, `catch`, classes,
 * `with`, exports, and TypeScript's enums, namespaces and `import x = `. Each scope's functions
 * are analysed before it ends ({@link FunctionWalker.drainScope}).
 */
export abstract class DeclarationWalker extends FunctionWalker {
  /** How many TypeScript namespaces the walk is in: their exports are members, not exports of the file. */
  private namespaceDepth = 0;

  protected visitBlock(statements: readonly BabelTypes.Statement[]): void {
    if (!declaresLexically(statements)) {
      for (let index = 0; index < statements.length; index++) this.visit(statements[index]!);
      return;
    }
    this.table.enter(false);
    try {
      this.visitStatements(statements);
      this.drainScope();
    } finally {
      this.table.exit();
    }
  }

  // The scoped statements below are methods rather than callbacks of one helper: a closure in
  // `visit` would make V8 allocate a context on every call of `visit`, for every node.

  protected visitCatchClause(node: BabelTypes.CatchClause): void {
    this.table.enter(false);
    try {
      if (node.param) this.bindPattern(node.param, UNKNOWN, 'let');
      this.visitStatements(node.body.body);
      this.drainScope();
    } finally {
      this.table.exit();
    }
  }

  protected visitSwitch(node: BabelTypes.SwitchStatement): void {
    this.visit(node.discriminant);
    this.table.enter(false);
    try {
      const cases = node.cases;
      for (let index = 0; index < cases.length; index++) this.hoist(cases[index]!.consequent);
      for (let index = 0; index < cases.length; index++) {
        const switchCase = cases[index]!;
        if (switchCase.test) this.visit(switchCase.test);
        const statements = switchCase.consequent;
        for (let statement = 0; statement < statements.length; statement++)
          this.visit(statements[statement]!);
      }
      this.drainScope();
    } finally {
      this.table.exit();
    }
  }

  protected visitLoop(
    node: BabelTypes.ForStatement | BabelTypes.ForInStatement | BabelTypes.ForOfStatement,
  ): void {
    this.table.enter(false);
    try {
      this.visitLoopInScope(node);
      this.drainScope();
    } finally {
      this.table.exit();
    }
  }

  private visitLoopInScope(
    node: BabelTypes.ForStatement | BabelTypes.ForInStatement | BabelTypes.ForOfStatement,
  ): void {
    if (node.type === 'ForStatement') {
      if (node.init) this.visit(node.init);
      if (node.test) this.visit(node.test);
      if (node.update) this.visit(node.update);
      this.visit(node.body);
      return;
    }
    const right = this.visit(node.right);
    let element: AbstractValue = UNKNOWN;
    if (node.type === 'ForInStatement') reportWholeValueUse(this, right, node.right);
    else element = this.iteratedElement(right, node.right);
    const left = node.left;
    if (left.type === 'VariableDeclaration') {
      const kind: BindingKind = left.kind === 'var' ? 'var' : 'let';
      const declarators = left.declarations;
      for (let index = 0; index < declarators.length; index++) {
        this.bindPattern(declarators[index]!.id, element, kind);
      }
    } else {
      this.bindPattern(left, element, 'assign');
    }
    this.visit(node.body);
  }

  /**
   * What `for-of` binds each time round: the dangerous element of an array the scan tracks (all
   * its dangerous elements are the same one), so the body is analysed with it; anything else
   * dangerous that is iterated escapes.
   */
  private iteratedElement(iterated: AbstractValue, node: BabelTypes.Node): AbstractValue {
    if (iterated === UNKNOWN) return UNKNOWN;
    if (iterated.kind !== 'array') {
      reportEscape(this, iterated, node, 'is iterated by for-of');
      return UNKNOWN;
    }
    let element: AbstractValue = UNKNOWN;
    for (const candidate of iterated.elements) {
      if (!isPowerful(candidate)) continue;
      if (element === UNKNOWN) element = candidate;
      else if (candidate !== element)
        reportEscape(this, candidate, node, 'is iterated by for-of with other such values');
    }
    return element;
  }

  /** A class: strict code; its fields store values on instances, so a dangerous one escapes there. */
  protected visitClass(node: BabelTypes.Class): AbstractValue {
    if (node.superClass) {
      const superClass = this.visit(node.superClass);
      reportEscape(this, superClass, node.superClass, 'is extended by a class, whose constructor calls it');
    }
    const decorators = node.decorators;
    if (decorators) for (let index = 0; index < decorators.length; index++) this.visit(decorators[index]!);
    const savedStrict = this.strict;
    const savedThis = this.thisValue;
    this.strict = true;
    this.thisValue = UNKNOWN;
    this.table.enter(true);
    try {
      if (node.type === 'ClassExpression' && node.id)
        this.table.bind(this.table.current, node.id.name, FUNCTION_VALUE);
      const members = node.body.body;
      for (let index = 0; index < members.length; index++) this.visitClassMember(members[index]!);
      this.drainScope();
    } finally {
      this.table.exit();
      this.strict = savedStrict;
      this.thisValue = savedThis;
    }
    return FUNCTION_VALUE;
  }

  private visitClassMember(member: BabelTypes.Class['body']['body'][number]): void {
    switch (member.type) {
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty': {
        if (member.type !== 'ClassPrivateProperty' && member.computed) this.visit(member.key);
        if (member.decorators) for (const decorator of member.decorators) this.visit(decorator);
        if (member.value) {
          const value = this.visit(member.value);
          reportEscape(this, value, member.value, 'is stored in a class field');
        }
        return;
      }
      case 'StaticBlock':
        this.visitBlock(member.body);
        return;
      default:
        this.visit(member);
        return;
    }
  }

  /** `with (object)`: the object's members become names; a dangerous one escapes into it. */
  protected visitWith(node: BabelTypes.WithStatement): void {
    const object = this.visit(node.object);
    reportEscape(this, object, node.object, 'is given to with, which makes its members names');
    this.visit(node.body);
  }

  /** `export default value`, `export const x = value`, `export { x }`: a dangerous value leaves the file. */
  protected visitExportNamed(node: BabelTypes.ExportNamedDeclaration): void {
    if (node.source && node.exportKind !== 'type') {
      importModule(this, literalValue(node.source.value), node.source, 're-export');
    }
    if (node.declaration) this.visit(node.declaration);
    if (this.namespaceDepth > 0 || node.exportKind === 'type' || node.source) return;
    const names = declaredNames(node.declaration, []);
    for (const specifier of node.specifiers) {
      if (specifier.type === 'ExportSpecifier') names.push(specifier.local.name);
    }
    for (const name of names) reportEscape(this, this.table.lookup(name), node, `is exported as ${name}`);
  }

  protected visitExportDefault(node: BabelTypes.ExportDefaultDeclaration): void {
    const declaration = node.declaration;
    // `export default function () {}` has no name for its block to hoist it by.
    if (declaration.type === 'FunctionDeclaration') {
      if (!declaration.id) this.defineFunction(declaration);
      return;
    }
    reportEscape(this, this.visit(declaration), node, 'is exported');
  }

  /** `enum E { A = ..., B }`: an object of its members, their initialisers visited (they run). */
  protected visitEnum(node: BabelTypes.TSEnumDeclaration): void {
    if (node.declare) return;
    const name = node.id.name;
    const existing = this.table.lookup(name);
    const value: AbstractValue =
      existing.kind === 'object'
        ? existing
        : { kind: 'object', properties: new Map<string, AbstractValue>() };
    this.table.bind(this.table.current, name, value);
    const members = (node as { members?: BabelTypes.TSEnumMember[] }).members ?? [];
    let next: number | undefined = 0;
    for (const member of members) {
      const key = member.id.type === 'Identifier' ? member.id.name : member.id.value;
      const memberValue: AbstractValue = member.initializer
        ? this.visit(member.initializer)
        : next === undefined
          ? UNKNOWN
          : literalValue(next);
      next =
        memberValue.kind === 'literal' && typeof memberValue.value === 'number'
          ? memberValue.value + 1
          : undefined;
      if (value.kind === 'object') value.properties.set(key, memberValue);
    }
  }

  /** `namespace N { export const x = ... }`: an object of what the body exports, bound to N. */
  protected visitNamespace(node: BabelTypes.TSModuleDeclaration): AbstractValue {
    if (node.declare || node.id.type !== 'Identifier') return UNKNOWN;
    const name = node.id.name;
    const existing = this.table.lookup(name);
    const value: AbstractValue =
      existing.kind === 'object'
        ? existing
        : { kind: 'object', properties: new Map<string, AbstractValue>() };
    this.table.bind(this.table.current, name, value);
    const body = node.body;
    this.namespaceDepth += 1;
    this.table.enter(true);
    try {
      // A namespace declared again sees what its earlier declarations export, unqualified.
      if (value === existing)
        for (const [key, member] of value.properties) this.table.bind(this.table.current, key, member);
      if (body.type === 'TSModuleDeclaration') {
        // `namespace A.B { }`: B is a namespace inside A.
        const inner = this.visitNamespace(body);
        if (body.id.type === 'Identifier' && value.kind === 'object')
          value.properties.set(body.id.name, inner);
      } else {
        this.visitStatements(body.body);
        for (const statement of body.body) {
          const exported =
            statement.type === 'ExportNamedDeclaration'
              ? declaredNames(statement.declaration, [])
              : statement.type === 'TSImportEqualsDeclaration' && statement.isExport
                ? declaredNames(statement, [])
                : [];
          for (const exportedName of exported) {
            if (value.kind === 'object') value.properties.set(exportedName, this.table.lookup(exportedName));
          }
        }
      }
      this.drainScope();
    } finally {
      this.table.exit();
      this.namespaceDepth -= 1;
    }
    return value;
  }

  /** `import x = require('m')` and `import x = N.member`. */
  protected visitImportEquals(node: BabelTypes.TSImportEqualsDeclaration): void {
    if (node.importKind === 'type') return;
    const reference = node.moduleReference;
    let value: AbstractValue;
    if (reference.type === 'TSExternalModuleReference') {
      value = importModule(this, literalValue(reference.expression.value), reference, 'import = require()');
    } else {
      value = this.entityValue(reference);
    }
    this.table.bind(this.table.current, node.id.name, value);
  }

  private entityValue(node: BabelTypes.TSEntityName): AbstractValue {
    if (node.type === 'Identifier') return this.table.lookup(node.name);
    if (node.type === 'TSQualifiedName') {
      return getMember(this, this.entityValue(node.left), node.right.name, node);
    }
    return UNKNOWN;
  }
}
