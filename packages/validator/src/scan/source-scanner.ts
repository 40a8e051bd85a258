import type * as BabelTypes from '@babel/types';
import { VISITOR_KEYS } from '@babel/types';
import {
  type AbstractValue,
  GLOBAL_OBJECT_VALUE,
  literalValue,
  propertyKeyOf,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { callValue } from './call-rules';
import { DeclarationWalker } from './declaration-walker';
import { chooseValue, isPowerful, reportEscape, reportWholeValueUse } from './escape-rules';
import { MAX_EVALUATION_DEPTH, scanEvaluated } from './evaluated-code';
import { spendFoldBudget } from './fold-budget';
import { charactersOf, forgetMembers, MAX_FOLDED_ARRAY_LENGTH } from './fold-builtins';
import {
  addValues,
  FALSE_VALUE,
  foldBinary,
  foldRawTemplate,
  foldTemplate,
  isLiteral,
  isLiteralType,
  NULL_VALUE,
  numberValue,
  TRUE_VALUE,
} from './fold-operators';
import { INTEROP_HELPERS, placeArgument } from './function-record';
import { importModule } from './import-rules';
import {
  CONSTRUCTOR_OF_VALUE,
  getMember,
  introspectionRead,
  MIN_INTROSPECTION_KEY_LENGTH,
} from './member-rules';
import { eitherString } from './string-choice';
import { TYPE_KEYS, TYPE_ONLY_STATEMENTS } from './type-syntax';

/** The arguments of a call that passes nothing the scan tracks. */
const NO_ARGUMENTS: readonly AbstractValue[] = [];

/**
 * Walks one file's AST once, tracking scopes and folding constants, and records every capability
 * use it can prove and every dangerous value that escapes what it can follow. Each node is
 * visited once (a function's body when its scope ends) and returns what the scan knows about its
 * value. The capability rules it applies are functions over its reporter (`*-rules.ts`);
 * declarations and patterns are {@link ScopeWalker}'s, functions {@link FunctionWalker}'s,
 * scoped statements {@link DeclarationWalker}'s.
 */
export class SourceScanner extends DeclarationWalker {
  /** How many strings of code run by code this scan is inside (0 for the file itself). */
  private evaluationDepth = 0;

  /** Scans code the file builds and runs, in a scanner of its own (see {@link scanEvaluated}). */
  override scanEvaluatedCode(code: string, node: BabelTypes.Node, parameters?: string): AbstractValue {
    if (this.evaluationDepth >= MAX_EVALUATION_DEPTH) return UNKNOWN;
    const nested = new SourceScanner(this.file);
    nested.evaluationDepth = this.evaluationDepth + 1;
    return scanEvaluated(this, { code, node, parameters, nested });
  }

  /**
   * A statement where a block is expected (`if (x) function f() {}` in sloppy code, a label):
   * a function declaration there is not hoisted by any block, so it is recorded here.
   */
  private visitStatementPosition(node: BabelTypes.Statement): void {
    if (node.type !== 'FunctionDeclaration') {
      this.visit(node);
      return;
    }
    if (node.declare) return;
    const value = this.defineFunction(node);
    if (node.id) this.table.bind(this.table.current, node.id.name, value);
  }

  /** A method of an object or class: its computed key runs where it is defined, then it is a function. */
  private visitMethod(
    node: BabelTypes.ObjectMethod | BabelTypes.ClassMethod | BabelTypes.ClassPrivateMethod,
  ): AbstractValue {
    if (node.computed) this.visit(node.key);
    return this.defineFunction(node);
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
        return this.thisValue;
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
        this.visitStatementPosition(node.consequent);
        if (node.alternate) this.visitStatementPosition(node.alternate);
        return UNKNOWN;
      // Separate cases, so that each reads `argument` off one node type only.
      case 'ReturnStatement':
        if (node.argument) {
          const value = this.visit(node.argument);
          if (value !== UNKNOWN) this.escapeReturned(value, node);
          this.noteReturn(value);
        } else {
          this.noteReturn(UNDEFINED_VALUE);
        }
        return UNKNOWN;
      case 'ThrowStatement':
        if (node.argument) reportEscape(this, this.visit(node.argument), node, 'is thrown');
        return UNKNOWN;
      case 'ObjectExpression':
        return this.visitObject(node);
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        return this.defineFunction(node);
      case 'ObjectMethod':
      case 'ClassMethod':
      case 'ClassPrivateMethod':
        return this.visitMethod(node);
      case 'FunctionDeclaration':
        // Recorded when its block was hoisted; the few other places are handled where they are.
        return UNKNOWN;
      case 'LabeledStatement':
        this.visitStatementPosition(node.body);
        return UNKNOWN;
      case 'LogicalExpression':
        return this.visitLogical(node);
      case 'ConditionalExpression':
        return this.visitConditional(node);
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
        if (node.argument) reportEscape(this, this.visit(node.argument), node, 'is yielded');
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
        this.visitExportNamed(node);
        return UNKNOWN;
      case 'ExportAllDeclaration':
        if (node.exportKind !== 'type')
          importModule(this, literalValue(node.source.value), node.source, 're-export');
        return UNKNOWN;
      case 'ExportDefaultDeclaration':
        this.visitExportDefault(node);
        return UNKNOWN;
      case 'TSImportEqualsDeclaration':
        this.visitImportEquals(node);
        return UNKNOWN;
      case 'TSEnumDeclaration':
        this.visitEnum(node);
        return UNKNOWN;
      case 'TSModuleDeclaration':
        this.visitNamespace(node);
        return UNKNOWN;
      case 'TSExportAssignment':
        reportEscape(this, this.visit(node.expression), node, 'is exported');
        return UNKNOWN;
      case 'WithStatement':
        this.visitWith(node);
        return UNKNOWN;
      case 'TaggedTemplateExpression':
        return this.visitTaggedTemplate(node);
      case 'MetaProperty':
        return node.meta.name === 'import' ? { kind: 'global', path: 'import.meta' } : UNKNOWN;
      case 'RegExpLiteral':
      case 'BigIntLiteral':
      case 'Super':
      case 'PrivateName':
      case 'DebuggerStatement':
      case 'EmptyStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        return UNKNOWN;
      case 'SpreadElement':
        reportEscape(this, this.visit(node.argument), node, 'is spread');
        return UNKNOWN;
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
    return this.memberOf(node, this.visitOperand(node.object));
  }

  /** The member `node` reads of `object`, the value of its object already visited. */
  private memberOf(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
    object: AbstractValue,
  ): AbstractValue {
    if (object === UNKNOWN && !node.computed) {
      // What getMember answers for an unknown object: any object's constructor's constructor is
      // Function, and `.caller` and its kin hand out other functions' state. No such name is
      // shorter in source than `caller` (escapes only add to it): checking that first spares
      // reading the name, a string not yet in cache.
      const property = node.property;
      if (property.type !== 'Identifier') return UNKNOWN;
      const { start, end } = property;
      if (start != null && end != null && end - start < MIN_INTROSPECTION_KEY_LENGTH) return UNKNOWN;
      const { name } = property;
      if (name === 'constructor') return CONSTRUCTOR_OF_VALUE;
      // `x.caller`, `frame.getFunction()`: another function's live state (see introspectionRead).
      return introspectionRead(this, UNKNOWN, name, node) ?? UNKNOWN;
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
    if (type === 'ThisExpression') return this.thisValue;
    if (type === 'CallExpression') return this.visitCall(node);
    return this.visit(node);
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

  // ---------------------------------------------------------------- expressions

  /**
   * A template folds to its text when every part is known; otherwise it is a string with its
   * known start (up to the first unknown part) and end (after the last one).
   */
  private visitTemplateLiteral(node: BabelTypes.TemplateLiteral): AbstractValue {
    const values: AbstractValue[] = [];
    for (const expression of node.expressions) {
      const value = this.visit(expression);
      if (value !== UNKNOWN) reportWholeValueUse(this, value, expression);
      values.push(value);
    }
    return foldTemplate(
      node.quasis.map((quasi) => quasi.value.cooked ?? undefined),
      values,
    );
  }

  /** A tagged template calls its tag with the strings and the values; `String.raw` folds. */
  private visitTaggedTemplate(node: BabelTypes.TaggedTemplateExpression): AbstractValue {
    const tag = this.visitOperand(node.tag);
    const quasis = node.quasi.quasis;
    const values: AbstractValue[] = [];
    for (const expression of node.quasi.expressions) values.push(this.visit(expression));
    if (tag !== UNKNOWN && tag.kind === 'global' && tag.path === 'String.raw') {
      return foldRawTemplate(
        quasis.map((quasi) => quasi.value.raw),
        values,
      );
    }
    const strings: AbstractValue = {
      kind: 'array',
      elements: quasis.map((quasi) =>
        quasi.value.cooked === undefined || quasi.value.cooked === null
          ? UNDEFINED_VALUE
          : literalValue(quasi.value.cooked),
      ),
    };
    const tagType = node.tag.type;
    return callValue(this, tag, {
      node,
      args: [strings, ...values],
      isNew: false,
      plain: tagType !== 'MemberExpression' && tagType !== 'OptionalMemberExpression',
    });
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
    if (node.operator === '+') return addValues(left, right);
    if (isLiteral(left) && isLiteral(right)) return foldBinary(node.operator, left.value, right.value);
    return UNKNOWN;
  }

  /** `a || b`, `a ?? b`, `a && b`: the side that is taken; a dangerous side that is dropped escapes. */
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
    return chooseValue(this, left, right, node.right);
  }

  private visitConditional(node: BabelTypes.ConditionalExpression): AbstractValue {
    const test = this.visit(node.test);
    const consequent = this.visit(node.consequent);
    const alternate = this.visit(node.alternate);
    if (isLiteral(test)) return test.value ? consequent : alternate;
    // Two strings chosen at run time (`x ? 'child_process' : 'path'`): either may be the one, so
    // the value is a string known only by what both share.
    const either = eitherString(consequent, alternate);
    if (either !== undefined) return either;
    // A literal on one side says little (`x ? y : null`): the other side is the value that matters.
    if (consequent !== UNKNOWN && consequent.kind === 'literal')
      return alternate === UNKNOWN ? consequent : alternate;
    return chooseValue(this, consequent, alternate, node);
  }

  private visitAssignment(node: BabelTypes.AssignmentExpression): AbstractValue {
    const left = node.left;
    // The target's type is read once, as in visitOperand.
    const { type: leftType } = left;
    const right = this.visit(node.right);
    let value = right;
    if (node.operator !== '=') {
      const current = leftType === 'Identifier' ? this.table.lookup(left.name) : UNKNOWN;
      value =
        node.operator === '+=' ? addValues(current, right) : this.logicalAssignment(node, current, right);
    }
    if (leftType === 'Identifier') this.declareName(left.name, value, 'assign', left);
    else if (leftType === 'MemberExpression') this.assignMember(left, value);
    else this.bindPattern(left, value, 'assign');
    return right;
  }

  /** `a ||= b`, `a ??= b`, `a &&= b` hold one of the two values, as `a || b` does; other operators make numbers. */
  private logicalAssignment(
    node: BabelTypes.AssignmentExpression,
    current: AbstractValue,
    right: AbstractValue,
  ): AbstractValue {
    const { operator } = node;
    if (operator !== '||=' && operator !== '??=' && operator !== '&&=') return UNKNOWN;
    if (operator === '&&=' || current === UNKNOWN || current.kind === 'literal') return right;
    return chooseValue(this, current, right, node.right);
  }

  private visitArray(node: BabelTypes.ArrayExpression): AbstractValue {
    const elements: AbstractValue[] = [];
    for (let index = 0; index < node.elements.length; index++) {
      const element = node.elements[index];
      if (element === null || element === undefined) {
        elements.push(UNDEFINED_VALUE);
      } else if (element.type === 'SpreadElement') {
        const spread = this.visit(element.argument);
        const parts =
          spread.kind === 'array'
            ? spread.elements
            : spread.kind === 'literal' && typeof spread.value === 'string'
              ? (charactersOf(spread.value) as { elements?: AbstractValue[] }).elements
              : undefined;
        if (parts === undefined) {
          reportEscape(this, spread, element, 'is spread into an array');
          elements.push(UNKNOWN);
        } else if (
          elements.length + parts.length > MAX_FOLDED_ARRAY_LENGTH ||
          !spendFoldBudget(parts.length)
        ) {
          // Arrays spread into themselves double each time: past the cap the array is not followed.
          reportEscape(this, spread, element, 'is spread into an array too large to follow');
          elements.push(UNKNOWN);
        } else {
          for (let part = 0; part < parts.length; part++) elements.push(parts[part]!);
        }
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
    let accessors = false;
    for (let index = 0; index < node.properties.length; index++) {
      const property = node.properties[index]!;
      // The property's type is read once, as in visitOperand.
      const { type } = property;
      if (type === 'SpreadElement') {
        const spread = this.visit(property.argument);
        if (spread !== UNKNOWN && spread.kind === 'object') {
          properties ??= new Map();
          for (const [key, value] of spread.properties) properties.set(key, value);
        } else {
          reportEscape(this, spread, property, 'is spread into an object');
        }
        continue;
      }
      const key = this.propertyKey(property);
      const value = type === 'ObjectMethod' ? this.visitMethod(property) : this.visit(property.value);
      if (type === 'ObjectMethod' && property.kind !== 'method') {
        // A getter or setter runs on access: what the object holds is no longer a plain value.
        accessors = true;
        continue;
      }
      if (key === undefined) {
        reportEscape(this, value, property, 'is stored under a key not statically known');
      } else if (value !== UNKNOWN) {
        properties ??= new Map();
        properties.set(key, value);
      }
    }
    if (accessors && properties !== undefined) {
      for (const value of properties.values())
        reportEscape(this, value, node, 'is stored in an object with accessors');
    }
    return properties === undefined || accessors ? UNKNOWN : { kind: 'object', properties };
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
    let receiver: AbstractValue = UNKNOWN;
    let callee: AbstractValue;
    if (calleeType === 'Identifier') callee = this.table.lookup(calleeNode.name);
    else if (calleeType === 'MemberExpression') {
      receiver = this.visitOperand(calleeNode.object);
      callee = this.memberOf(calleeNode, receiver);
    } else callee = calleeType === 'V8IntrinsicIdentifier' ? UNKNOWN : this.visit(calleeNode);
    // `[require].find(Boolean)`, `box.pop()`: a method the scan does not follow gets the container as `this`.
    // Of an object, only an inherited method counts: another member the scan does not know is
    // most often a function from elsewhere stored in it, and reporting each call would drown the rest.
    const unfollowed = callee.kind === 'function' && !callee.record;
    if (
      receiver !== UNKNOWN &&
      ((receiver.kind === 'array' && (callee === UNKNOWN || unfollowed)) ||
        (receiver.kind === 'object' && unfollowed))
    )
      reportEscape(this, receiver, calleeNode, 'is the receiver of a method the scan cannot follow');
    if (callee === UNKNOWN || callee.kind === 'object') {
      this.visitPassedArguments(node);
      return UNKNOWN;
    }
    const plain = calleeType !== 'MemberExpression' && calleeType !== 'OptionalMemberExpression';
    if (callee.kind === 'function') {
      const record = callee.record;
      if (record === undefined) {
        this.visitPassedArguments(node);
        return plain && callee.returns === 'global' ? GLOBAL_OBJECT_VALUE : UNKNOWN;
      }
      if (calleeType === 'Identifier' && INTEROP_HELPERS.has(calleeNode.name)) record.helper = true;
      const args = record.helper ? this.visitArguments(node.arguments) : this.visitLocalCallArguments(node);
      const result = this.callFunction(callee, args, node, plain && node.type !== 'NewExpression');
      // An immediately invoked function runs here: it is analysed here, before what follows it,
      // and what it returns is the call's value.
      if (
        record.pending &&
        (calleeType === 'FunctionExpression' || calleeType === 'ArrowFunctionExpression')
      ) {
        const returned = this.analyzeInvokedFunction(record);
        return result === UNKNOWN ? returned : result;
      }
      return result;
    }
    const args = this.visitArguments(node.arguments);
    return callValue(this, callee, { node, args, isNew: node.type === 'NewExpression', plain });
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
      let value: AbstractValue;
      if (type === 'Identifier') value = this.table.lookup(argument.name);
      else if (type === 'MemberExpression') value = this.visitMember(argument);
      else if (type === 'SpreadElement') value = this.visit(argument.argument);
      else if (isLiteralType(type)) continue;
      else value = this.visit(argument);
      if (value !== UNKNOWN) {
        reportEscape(this, value, node, 'is passed to a function the scan cannot follow');
        // That function may change what it was given (`rename(names)`): its fold is stale.
        forgetMembers(value);
      }
    }
  }

  /**
   * The arguments of a call of a function of the file: only dangerous ones are bound to its
   * parameters, so an array is built only when one is passed (most calls pass none).
   */
  private visitLocalCallArguments(
    node: BabelTypes.CallExpression | BabelTypes.OptionalCallExpression | BabelTypes.NewExpression,
  ): readonly AbstractValue[] {
    const argumentNodes = node.arguments;
    let values: AbstractValue[] | undefined;
    // Where the next argument lands; unknown (-1) after the spread of something not tracked.
    let position = 0;
    for (let index = 0; index < argumentNodes.length; index++) {
      const argument = argumentNodes[index]!;
      const { type } = argument;
      if (isLiteralType(type)) {
        if (position >= 0) position += 1;
        continue;
      }
      if (type === 'SpreadElement') {
        const spread = this.visit(argument.argument);
        if (spread.kind === 'array' && position >= 0) {
          for (const element of spread.elements) {
            if (isPowerful(element)) values = placeArgument(values, position, element);
            position += 1;
          }
        } else {
          reportEscape(this, spread, argument, 'is spread into a call');
          position = -1;
        }
        continue;
      }
      const value = type === 'Identifier' ? this.table.lookup(argument.name) : this.visit(argument);
      // The function may change an object or array it is given (its parameter is not tracked).
      if (value !== UNKNOWN) forgetMembers(value);
      if (value !== UNKNOWN && isPowerful(value)) {
        if (position >= 0) values = placeArgument(values, position, value);
        else reportEscape(this, value, node, 'is passed to a function the scan cannot follow');
      }
      if (position >= 0) position += 1;
    }
    return values ?? NO_ARGUMENTS;
  }

  private visitArguments(argumentNodes: readonly BabelTypes.Node[]): AbstractValue[] {
    const values: AbstractValue[] = [];
    for (let index = 0; index < argumentNodes.length; index++) {
      const argument = argumentNodes[index]!;
      if (argument.type === 'SpreadElement') {
        const spread = this.visit(argument.argument);
        if (spread.kind === 'array' && values.length + spread.elements.length <= MAX_FOLDED_ARRAY_LENGTH) {
          for (let part = 0; part < spread.elements.length; part++) values.push(spread.elements[part]!);
        } else {
          reportEscape(this, spread, argument, 'is spread into a call');
          values.push(UNKNOWN);
        }
      } else {
        values.push(this.visit(argument));
      }
    }
    return values;
  }
}
