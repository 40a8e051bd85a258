import type * as BabelTypes from '@babel/types';
import { VISITOR_KEYS } from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_VALUE,
  literalValue,
  propertyKeyOf,
  stringOf,
  TEXT_VALUE,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { callValue } from './call-rules';
import { reportEscapedValue, reportWholeValueUse } from './escape-rules';
import { charactersOf } from './fold-builtins';
import {
  FALSE_VALUE,
  foldBinary,
  isLiteral,
  isText,
  MAX_FOLDED_STRING_LENGTH,
  NULL_VALUE,
  numberValue,
  TRUE_VALUE,
} from './fold-operators';
import { importModule } from './import-rules';
import { CONSTRUCTOR_OF_VALUE, getMember } from './member-rules';
import { type BindingKind, ScopeWalker } from './scope-walker';
import { TYPE_KEYS, TYPE_ONLY_STATEMENTS } from './type-syntax';

/**
 * Walks one file's AST once, tracking scopes and folding constants, and records every capability
 * use it can prove. A single pass: each node is visited exactly once and returns what the scan
 * knows about its value. The capability rules it applies are functions over its reporter
 * (`*-rules.ts`); declarations and patterns are {@link ScopeWalker}'s.
 */
export class SourceScanner extends ScopeWalker {
  /** A method of an object or class: its computed key runs where it is defined, then it is a function. */
  private visitMethod(
    node: BabelTypes.ObjectMethod | BabelTypes.ClassMethod | BabelTypes.ClassPrivateMethod,
  ): AbstractValue {
    if (node.computed) this.visit(node.key);
    return this.visitFunction(node.params, node.body.body, null);
  }

  /**
   * Runs a function's parameters and body (statements, or an arrow's expression) in a scope of
   * their own, where a function expression's own name is bound too. Callers read these parts off
   * nodes of a known type: read here, off every kind of function, each would be a megamorphic load.
   */
  private visitFunction(
    params: BabelTypes.Function['params'],
    body: readonly BabelTypes.Statement[] | BabelTypes.Expression,
    ownName: BabelTypes.Identifier | null | undefined,
  ): AbstractValue {
    this.table.enter(true);
    try {
      if (ownName) this.table.bind(this.table.current, ownName.name, FUNCTION_VALUE);
      for (let index = 0; index < params.length; index++) {
        const parameter = params[index]!;
        if (parameter.type === 'Identifier') this.declareName(parameter.name, UNKNOWN, 'param');
        else this.bindPattern(parameter, UNKNOWN, 'param');
      }
      if (isStatementList(body)) this.visitStatements(body);
      else this.visit(body);
    } finally {
      this.table.exit();
    }
    return FUNCTION_VALUE;
  }

  private visitClass(node: BabelTypes.Class): AbstractValue {
    if (node.superClass) this.visit(node.superClass);
    const decorators = node.decorators;
    if (decorators) for (let index = 0; index < decorators.length; index++) this.visit(decorators[index]!);
    this.table.enter(true);
    try {
      if (node.type === 'ClassExpression' && node.id)
        this.table.bind(this.table.current, node.id.name, FUNCTION_VALUE);
      const members = node.body.body;
      for (let index = 0; index < members.length; index++) this.visit(members[index]!);
    } finally {
      this.table.exit();
    }
    return FUNCTION_VALUE;
  }

  // ---------------------------------------------------------------- the visitor

  /** Visits a node once and returns what the scan knows about its value. */
  override visit(node: BabelTypes.Node): AbstractValue {
    // Cases run in order, so the most frequent node types of real code come first.
    switch (node.type) {
      case 'Identifier':
        return this.table.lookup(node.name);
      case 'MemberExpression':
        return this.visitMember(node);
      case 'CallExpression':
        return this.visitCall(node);
      case 'ExpressionStatement':
        this.visit(node.expression);
        return UNKNOWN;
      case 'StringLiteral':
        return literalValue(node.value);
      case 'ThisExpression':
        return UNKNOWN;
      case 'BlockStatement':
        this.visitBlock(node.body);
        return UNKNOWN;
      case 'NumericLiteral':
        return numberValue(node.value);
      case 'BooleanLiteral':
        return node.value ? TRUE_VALUE : FALSE_VALUE;
      case 'NullLiteral':
        return NULL_VALUE;
      case 'TemplateLiteral':
        return this.visitTemplateLiteral(node);
      case 'BinaryExpression':
        return this.visitBinary(node);
      case 'VariableDeclaration':
        if (!node.declare) this.visitVariableDeclaration(node);
        return UNKNOWN;
      case 'AssignmentExpression':
        return this.visitAssignment(node);
      case 'IfStatement':
        this.visit(node.test);
        this.visit(node.consequent);
        if (node.alternate) this.visit(node.alternate);
        return UNKNOWN;
      // Separate cases, so that each reads `argument` off one node type only.
      case 'ReturnStatement':
        if (node.argument) this.visit(node.argument);
        return UNKNOWN;
      case 'ThrowStatement':
        if (node.argument) this.visit(node.argument);
        return UNKNOWN;
      case 'ObjectExpression':
        return this.visitObject(node);
      case 'FunctionExpression':
        return this.visitFunction(node.params, node.body.body, node.id);
      case 'ArrowFunctionExpression': {
        const body = node.body;
        return this.visitFunction(node.params, body.type === 'BlockStatement' ? body.body : body, null);
      }
      case 'ObjectMethod':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
        return this.visitMethod(node);
      case 'FunctionDeclaration':
        this.visitFunction(node.params, node.body.body, null);
        return UNKNOWN;
      case 'LogicalExpression':
        return this.visitLogical(node);
      case 'ConditionalExpression': {
        const test = this.visit(node.test);
        const consequent = this.visit(node.consequent);
        const alternate = this.visit(node.alternate);
        if (isLiteral(test)) return test.value ? consequent : alternate;
        return consequent !== UNKNOWN && consequent.kind !== 'literal' ? consequent : alternate;
      }
      case 'SequenceExpression': {
        let last: AbstractValue = UNKNOWN;
        const expressions = node.expressions;
        for (let index = 0; index < expressions.length; index++) last = this.visit(expressions[index]!);
        return last;
      }
      case 'UnaryExpression': {
        const argument = this.visit(node.argument);
        if (node.operator === 'void') return UNDEFINED_VALUE;
        if (!isLiteral(argument)) return UNKNOWN;
        if (node.operator === '!') return literalValue(!argument.value);
        if (node.operator === '-' && typeof argument.value === 'number') return literalValue(-argument.value);
        if (node.operator === '+' && typeof argument.value === 'number') return argument;
        return UNKNOWN;
      }
      case 'AwaitExpression':
        return this.visit(node.argument);
      case 'ParenthesizedExpression':
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TypeCastExpression':
      case 'TSInstantiationExpression':
        return this.visit(node.expression);
      case 'OptionalMemberExpression':
        return this.visitMember(node);
      case 'OptionalCallExpression':
      case 'NewExpression':
        return this.visitCall(node);
      case 'ImportExpression': {
        const specifier = this.visit(node.source);
        if (node.options) this.visit(node.options);
        return importModule(this, specifier, node, 'import()');
      }
      case 'ArrayExpression':
        return this.visitArray(node);
      case 'ClassExpression':
        return this.visitClass(node);
      case 'ClassDeclaration':
        if (node.declare) return UNKNOWN;
        this.visitClass(node);
        return UNKNOWN;
      case 'UpdateExpression':
        this.visit(node.argument);
        return UNKNOWN;
      case 'YieldExpression':
        if (node.argument) this.visit(node.argument);
        return UNKNOWN;
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.visit(node.test);
        this.visit(node.body);
        return UNKNOWN;
      case 'TryStatement':
        this.visit(node.block);
        if (node.handler) this.visit(node.handler);
        if (node.finalizer) this.visit(node.finalizer);
        return UNKNOWN;
      case 'StaticBlock':
        this.visitBlock(node.body);
        return UNKNOWN;
      case 'Program':
        this.visitStatements(node.body);
        return UNKNOWN;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement':
        this.visitLoop(node);
        return UNKNOWN;
      case 'CatchClause':
        this.visitCatchClause(node);
        return UNKNOWN;
      case 'SwitchStatement':
        this.visitSwitch(node);
        return UNKNOWN;
      case 'ImportDeclaration':
        return UNKNOWN;
      case 'ExportNamedDeclaration':
        if (node.source && node.exportKind !== 'type') {
          importModule(this, literalValue(node.source.value), node.source, 're-export');
        }
        if (node.declaration) this.visit(node.declaration);
        return UNKNOWN;
      case 'ExportAllDeclaration':
        if (node.exportKind !== 'type')
          importModule(this, literalValue(node.source.value), node.source, 're-export');
        return UNKNOWN;
      case 'ExportDefaultDeclaration':
        this.visit(node.declaration);
        return UNKNOWN;
      case 'TSImportEqualsDeclaration':
        if (node.importKind !== 'type' && node.moduleReference.type === 'TSExternalModuleReference') {
          const value = importModule(
            this,
            literalValue(node.moduleReference.expression.value),
            node.moduleReference,
            'import = require()',
          );
          this.table.bind(this.table.current, node.id.name, value);
        }
        return UNKNOWN;
      case 'RegExpLiteral':
      case 'BigIntLiteral':
      case 'Super':
      case 'MetaProperty':
      case 'PrivateName':
      case 'DebuggerStatement':
      case 'EmptyStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        return node.type === 'MetaProperty' ? this.metaProperty(node) : UNKNOWN;
      case 'SpreadElement': {
        const value = this.visit(node.argument);
        reportWholeValueUse(this, value, node);
        return UNKNOWN;
      }
      default:
        if (TYPE_ONLY_STATEMENTS.has(node.type)) return UNKNOWN;
        this.visitChildren(node);
        return UNKNOWN;
    }
  }

  /**
   * `object.key` and `object[key]`. Most member expressions read a plain name of an object the
   * scan knows nothing about: those are answered without building a key or a value.
   */
  private visitMember(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
  ): AbstractValue {
    const object = this.visitOperand(node.object);
    if (object === UNKNOWN && !node.computed) {
      // What getMember answers for an unknown object: any object's constructor's constructor is Function.
      // The name cannot be `constructor` when its source is shorter than `constructor`: checking
      // that first spares reading the name, a string not yet in cache.
      const property = node.property;
      if (property.type !== 'Identifier') return UNKNOWN;
      const { start, end } = property;
      if (start != null && end != null && end - start < CONSTRUCTOR_NAME_LENGTH) return UNKNOWN;
      return property.name === 'constructor' ? CONSTRUCTOR_OF_VALUE : UNKNOWN;
    }
    return getMember(this, object, this.memberKey(node), node);
  }

  /**
   * Visits the object of a member or the callee of a call. The commonest types go straight to
   * their handler: on a fresh tree each read of a node's type is a megamorphic load, and `visit`
   * would read it again.
   */
  private visitOperand(node: BabelTypes.Node): AbstractValue {
    const { type } = node;
    if (type === 'Identifier') return this.table.lookup(node.name);
    if (type === 'MemberExpression') return this.visitMember(node);
    if (type === 'ThisExpression') return UNKNOWN;
    if (type === 'CallExpression') return this.visitCall(node);
    return this.visit(node);
  }

  private visitBlock(statements: readonly BabelTypes.Statement[]): void {
    if (!declaresLexically(statements)) {
      for (let index = 0; index < statements.length; index++) this.visit(statements[index]!);
      return;
    }
    this.table.enter(false);
    try {
      this.visitStatements(statements);
    } finally {
      this.table.exit();
    }
  }

  private visitChildren(node: BabelTypes.Node): void {
    const keys = VISITOR_KEYS[node.type];
    if (keys === undefined) return;
    const record = node as unknown as Record<string, unknown>;
    for (let keyIndex = 0; keyIndex < keys.length; keyIndex++) {
      const key = keys[keyIndex]!;
      if (TYPE_KEYS.has(key)) continue;
      const child = record[key];
      if (child === null || child === undefined) continue;
      if (Array.isArray(child)) {
        for (let index = 0; index < child.length; index++) {
          const item: unknown = child[index];
          if (item !== null && typeof item === 'object') this.visit(item as BabelTypes.Node);
        }
      } else if (typeof child === 'object') {
        this.visit(child as BabelTypes.Node);
      }
    }
  }

  // The scoped statements below are methods rather than callbacks of one helper: a closure in
  // `visit` would make V8 allocate a context on every call of `visit`, for every node.

  private visitCatchClause(node: BabelTypes.CatchClause): void {
    this.table.enter(false);
    try {
      if (node.param) this.bindPattern(node.param, UNKNOWN, 'let');
      this.visitStatements(node.body.body);
    } finally {
      this.table.exit();
    }
  }

  private visitSwitch(node: BabelTypes.SwitchStatement): void {
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
    } finally {
      this.table.exit();
    }
  }

  private visitLoop(
    node: BabelTypes.ForStatement | BabelTypes.ForInStatement | BabelTypes.ForOfStatement,
  ): void {
    this.table.enter(false);
    try {
      this.visitLoopInScope(node);
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
    if (node.type === 'ForInStatement') reportWholeValueUse(this, right, node.right);
    const left = node.left;
    if (left.type === 'VariableDeclaration') {
      const kind: BindingKind = left.kind === 'var' ? 'var' : 'let';
      const declarators = left.declarations;
      for (let index = 0; index < declarators.length; index++) {
        this.bindPattern(declarators[index]!.id, UNKNOWN, kind);
      }
    } else {
      this.bindPattern(left, UNKNOWN, 'assign');
    }
    this.visit(node.body);
  }

  private metaProperty(node: BabelTypes.MetaProperty): AbstractValue {
    return node.meta.name === 'import' ? { kind: 'global', path: 'import.meta' } : UNKNOWN;
  }

  private resolveIdentifier(name: string): AbstractValue {
    return this.table.lookup(name);
  }

  // ---------------------------------------------------------------- expressions

  private visitTemplateLiteral(node: BabelTypes.TemplateLiteral): AbstractValue {
    let text = node.quasis[0]?.value.cooked ?? '';
    let known = node.quasis[0]?.value.cooked !== undefined && node.quasis[0]?.value.cooked !== null;
    for (let index = 0; index < node.expressions.length; index++) {
      const expression = node.expressions[index]!;
      const value = this.visit(expression);
      reportWholeValueUse(this, value, expression);
      const part = stringOf(value);
      const cooked = node.quasis[index + 1]?.value.cooked;
      if (part === undefined || cooked === undefined || cooked === null) known = false;
      else text += part + cooked;
    }
    return known && text.length <= MAX_FOLDED_STRING_LENGTH ? literalValue(text) : TEXT_VALUE;
  }

  private visitBinary(node: BabelTypes.BinaryExpression): AbstractValue {
    const left = this.visit(node.left);
    const rightNode = node.right;
    // The right side's type is read once, as in visitOperand.
    const { type: rightType } = rightNode;
    // `typeof x === 'string'`: with an unknown left side only `+` can make anything of the right
    // one, and a literal there has nothing to visit, so its value is not built.
    if (!isLiteral(left) && node.operator !== '+' && isLiteralType(rightType)) return UNKNOWN;
    const right = rightType === 'Identifier' ? this.table.lookup(rightNode.name) : this.visit(rightNode);
    if (isLiteral(left) && isLiteral(right)) return foldBinary(node.operator, left.value, right.value);
    if (node.operator === '+' && (isText(left) || isText(right))) return TEXT_VALUE;
    return UNKNOWN;
  }

  private visitLogical(node: BabelTypes.LogicalExpression): AbstractValue {
    const left = this.visit(node.left);
    const right = this.visit(node.right);
    if (left === UNKNOWN) return right;
    if (left.kind === 'literal') {
      if (node.operator === '||') return left.value ? left : right;
      if (node.operator === '&&') return left.value ? right : left;
      return left.value === null || left.value === undefined ? right : left;
    }
    if (node.operator === '&&') return right;
    return left.kind === 'unknown' ? right : left;
  }

  private visitAssignment(node: BabelTypes.AssignmentExpression): AbstractValue {
    const left = node.left;
    // The target's type is read once, as in visitOperand.
    const { type: leftType } = left;
    const right = this.visit(node.right);
    let value = right;
    if (node.operator !== '=') {
      const current = leftType === 'Identifier' ? this.resolveIdentifier(left.name) : UNKNOWN;
      value =
        node.operator === '+=' && isLiteral(current) && isLiteral(right)
          ? foldBinary('+', current.value, right.value)
          : UNKNOWN;
    }
    if (leftType === 'Identifier') this.declareName(left.name, value, 'assign');
    else if (leftType === 'MemberExpression') this.assignMember(left, value);
    else this.bindPattern(left, value, 'assign');
    return right;
  }

  private visitArray(node: BabelTypes.ArrayExpression): AbstractValue {
    const elements: AbstractValue[] = [];
    for (let index = 0; index < node.elements.length; index++) {
      const element = node.elements[index];
      if (element === null || element === undefined) {
        elements.push(UNDEFINED_VALUE);
      } else if (element.type === 'SpreadElement') {
        const spread = this.visit(element.argument);
        reportWholeValueUse(this, spread, element);
        if (spread.kind === 'array') elements.push(...spread.elements);
        else if (spread.kind === 'literal' && typeof spread.value === 'string') {
          const characters = charactersOf(spread.value);
          if (characters.kind === 'array') elements.push(...characters.elements);
        } else elements.push(UNKNOWN);
      } else {
        elements.push(this.visit(element));
      }
    }
    return { kind: 'array', elements };
  }

  private visitObject(node: BabelTypes.ObjectExpression): AbstractValue {
    if (node.properties.length === 0) return { kind: 'object', properties: new Map() };
    // Only objects holding something the scan tracks get a value; the rest are unknown.
    let properties: Map<string, AbstractValue> | undefined;
    for (let index = 0; index < node.properties.length; index++) {
      const property = node.properties[index]!;
      // The property's type is read once, as in visitOperand.
      const { type } = property;
      if (type === 'SpreadElement') {
        const spread = this.visit(property.argument);
        reportWholeValueUse(this, spread, property);
        if (spread !== UNKNOWN && spread.kind === 'object') {
          properties ??= new Map();
          for (const [key, value] of spread.properties) properties.set(key, value);
        }
        continue;
      }
      const key = this.propertyKey(property);
      if (type === 'ObjectMethod') {
        this.visitMethod(property);
        if (key !== undefined && property.kind === 'method') {
          properties ??= new Map();
          properties.set(key, FUNCTION_VALUE);
        }
        continue;
      }
      const value = this.visit(property.value);
      if (key !== undefined && value !== UNKNOWN) {
        properties ??= new Map();
        properties.set(key, value);
      }
    }
    return properties === undefined ? UNKNOWN : { kind: 'object', properties };
  }

  /** The key of an object property or method, visiting it when computed; undefined when not static. */
  private propertyKey(property: BabelTypes.ObjectProperty | BabelTypes.ObjectMethod): string | undefined {
    const keyNode = property.key;
    if (property.computed) return propertyKeyOf(this.visit(keyNode));
    const { type: keyType } = keyNode;
    if (keyType === 'Identifier') return keyNode.name;
    if (keyType === 'StringLiteral' || keyType === 'NumericLiteral') return String(keyNode.value);
    return undefined;
  }

  // ---------------------------------------------------------------- calls

  private visitCall(
    node: BabelTypes.CallExpression | BabelTypes.OptionalCallExpression | BabelTypes.NewExpression,
  ): AbstractValue {
    const calleeNode = node.callee;
    // The callee's type is read once, as in visitOperand.
    const { type: calleeType } = calleeNode;
    if (calleeType === 'Import') {
      const values = this.visitArguments(node.arguments);
      return importModule(this, values[0] ?? UNKNOWN, node, 'import()');
    }
    const callee =
      calleeType === 'Identifier'
        ? this.table.lookup(calleeNode.name)
        : calleeType === 'MemberExpression'
          ? this.visitMember(calleeNode)
          : calleeType === 'V8IntrinsicIdentifier'
            ? UNKNOWN
            : this.visit(calleeNode);
    if (callee === UNKNOWN || callee.kind === 'function' || callee.kind === 'object') {
      this.visitPassedArguments(node);
      return UNKNOWN;
    }
    const args = this.visitArguments(node.arguments);
    return callValue(this, callee, args, node, node.type === 'NewExpression');
  }

  /**
   * The arguments of most calls: nothing to fold, so only look at what is passed along, without
   * collecting it. A literal argument escapes nothing, so its value is not built.
   */
  private visitPassedArguments(
    node: BabelTypes.CallExpression | BabelTypes.OptionalCallExpression | BabelTypes.NewExpression,
  ): void {
    const argumentNodes = node.arguments;
    for (let index = 0; index < argumentNodes.length; index++) {
      const argument = argumentNodes[index]!;
      // The argument's type is read once, as in visitOperand.
      const { type } = argument;
      if (type === 'Identifier') reportEscapedValue(this, this.table.lookup(argument.name), node);
      else if (type === 'MemberExpression') reportEscapedValue(this, this.visitMember(argument), node);
      else if (type === 'SpreadElement') reportWholeValueUse(this, this.visit(argument.argument), argument);
      else if (!isLiteralType(type)) reportEscapedValue(this, this.visit(argument), node);
    }
  }

  private visitArguments(argumentNodes: readonly BabelTypes.Node[]): AbstractValue[] {
    const values: AbstractValue[] = [];
    for (let index = 0; index < argumentNodes.length; index++) {
      const argument = argumentNodes[index]!;
      if (argument.type === 'SpreadElement') {
        const spread = this.visit(argument.argument);
        reportWholeValueUse(this, spread, argument);
        if (spread.kind === 'array') values.push(...spread.elements);
        else values.push(UNKNOWN);
      } else {
        values.push(this.visit(argument));
      }
    }
    return values;
  }
}

/** Whether a function body is a list of statements rather than an arrow's expression. */
function isStatementList(
  body: readonly BabelTypes.Statement[] | BabelTypes.Expression,
): body is readonly BabelTypes.Statement[] {
  return Array.isArray(body);
}

/** Whether a node type is a literal of a primitive: visiting one has no effect, only a value. */
function isLiteralType(type: BabelTypes.Node['type']): boolean {
  return (
    type === 'StringLiteral' ||
    type === 'NumericLiteral' ||
    type === 'BooleanLiteral' ||
    type === 'NullLiteral'
  );
}

/** Length of `constructor`: no identifier named so takes less source (escapes only add to it). */
const CONSTRUCTOR_NAME_LENGTH = 'constructor'.length;

/** Whether a block declares names of its own (let, const, class, function), so it needs a scope. */
function declaresLexically(statements: readonly BabelTypes.Statement[]): boolean {
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index]!;
    // One read of the type, not one per comparison: each is a megamorphic load.
    const { type } = statement;
    if (
      type === 'FunctionDeclaration' ||
      type === 'ClassDeclaration' ||
      (type === 'VariableDeclaration' && statement.kind !== 'var')
    ) {
      return true;
    }
  }
  return false;
}
