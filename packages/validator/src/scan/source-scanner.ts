import type { Finding } from '@agentplug/models';
import type * as BabelTypes from '@babel/types';
import { VISITOR_KEYS } from '@babel/types';
import {
  type AbstractValue,
  FUNCTION_CONSTRUCTOR_VALUE,
  FUNCTION_VALUE,
  literalValue,
  propertyKeyOf,
  REQUIRE_VALUE,
  stringOf,
  TEXT_VALUE,
  UNDEFINED_VALUE,
  UNKNOWN,
} from './abstract-value';
import { type FindingCode, FindingCodes } from './finding-codes';
import {
  charactersOf,
  FOLDABLE_ARRAY_METHODS,
  FOLDABLE_STRING_METHODS,
  foldGlobalCall,
  foldMethodCall,
  foldPathCall,
} from './fold-builtins';
import {
  classifyFileSystemCall,
  isHarmlessNetworkCall,
  isShellCall,
  lookupModule,
  moduleKindOf,
  normaliseSpecifier,
} from './module-table';
import { BindingTable, type Scope } from './scope';

/** Stands for the plugin's own folder in folded paths (`__dirname`, `import.meta.dirname`). */
export const PLUGIN_FOLDER_MARKER = '\u0000plugin';

/** A capability use the scan found, with its target when one applies. */
export interface CapabilityUse {
  finding: Finding;
  /**
   * The host, path or variable name used: a string when statically known, `null` when the
   * use has a target that folding could not resolve, `undefined` when no target applies.
   */
  target: string | null | undefined;
}

/** A module specifier imported with a statically known name. */
export interface ImportRecord {
  specifier: string;
  line: number;
  column: number;
}

/** Globals the scan tracks; every other free name is unknown. */
const KNOWN_GLOBALS: ReadonlySet<string> = new Set([
  'require',
  'module',
  'process',
  'globalThis',
  'eval',
  'Function',
  'fetch',
  'WebSocket',
  'EventSource',
  'XMLHttpRequest',
  'Reflect',
  'Buffer',
  'atob',
  'btoa',
  'String',
  'Array',
  'Object',
  'setTimeout',
  'setInterval',
  'decodeURIComponent',
  'decodeURI',
  'unescape',
  'URL',
  'navigator',
  'Bun',
  'Deno',
]);

/** Names of the global object itself. */
const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = new Set(['globalThis', 'global', 'window', 'self']);

/** Globals whose members, called by an unknown name, are a dynamic finding. */
const SENSITIVE_GLOBALS: ReadonlySet<string> = new Set([
  'globalThis',
  'process',
  'Reflect',
  'require',
  'module',
]);

/** Global paths that are other spellings of a tracked value. */
const GLOBAL_ALIASES: ReadonlyMap<string, AbstractValue> = new Map<string, AbstractValue>([
  ['module.require', REQUIRE_VALUE],
  ['module.parent.require', REQUIRE_VALUE],
  ['require.main.require', REQUIRE_VALUE],
  ['process.mainModule.require', REQUIRE_VALUE],
  ['module.constructor', { kind: 'module', module: 'module', path: '' }],
  ['require.main.constructor', { kind: 'module', module: 'module', path: '' }],
  ['process.mainModule.constructor', { kind: 'module', module: 'module', path: '' }],
  ['Function.prototype.constructor', FUNCTION_CONSTRUCTOR_VALUE],
]);

/** Globals that are not functions, so `.constructor` on them is not `Function`. */
const NON_FUNCTION_GLOBALS: ReadonlySet<string> = new Set([
  'globalThis',
  'process',
  'process.env',
  'Reflect',
  'navigator',
  'module',
]);

/** Function bodies that `Function(...)` may build without it being a finding (globalThis shims). */
const BENIGN_FUNCTION_BODIES: ReadonlySet<string> = new Set(['return this', 'return this;']);

/** Keys of TypeScript and Flow type positions, which hold no runtime code. */
const TYPE_KEYS: ReadonlySet<string> = new Set([
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'superTypeParameters',
  'typeArguments',
  'implements',
  'predicate',
]);

/** Statement types that only declare types. */
const TYPE_ONLY_STATEMENTS: ReadonlySet<string> = new Set([
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
  'TSEnumDeclaration',
  'TSDeclareMethod',
  'TypeAlias',
  'OpaqueType',
  'InterfaceDeclaration',
  'DeclareVariable',
  'DeclareFunction',
  'DeclareClass',
  'DeclareModule',
  'TSIndexSignature',
]);

/**
 * The value of every tracked global but `__filename` (which names the file), built once for all
 * scans: building them per file cost as much allocation as a tenth of the walk.
 */
const GLOBAL_VALUES: ReadonlyMap<string, AbstractValue> = createGlobalValues();

function createGlobalValues(): Map<string, AbstractValue> {
  const values = new Map<string, AbstractValue>();
  const globalObject: AbstractValue = { kind: 'global', path: 'globalThis' };
  for (const name of KNOWN_GLOBALS) values.set(name, { kind: 'global', path: name });
  for (const name of GLOBAL_OBJECT_NAMES) values.set(name, globalObject);
  values.set('undefined', UNDEFINED_VALUE);
  values.set('__dirname', literalValue(PLUGIN_FOLDER_MARKER));
  return values;
}

const MAX_FOLDED_STRING_LENGTH = 100_000;
const MAX_GLOBAL_PATH_DEPTH = 5;

type LiteralValue = Extract<AbstractValue, { kind: 'literal' }>;

type BindingKind = 'var' | 'let' | 'const' | 'param' | 'assign';

/**
 * Walks one file's AST once, tracking scopes and folding constants, and records every capability
 * use it can prove. A single pass: each node is visited exactly once and returns what the scan
 * knows about its value.
 */
export class SourceScanner {
  readonly uses: CapabilityUse[] = [];
  readonly imports: ImportRecord[] = [];
  private readonly file: string;
  private readonly table = new BindingTable(GLOBAL_VALUES);
  private readonly reported = new Set<string>();
  private readonly filenameValue: AbstractValue;

  constructor(file: string) {
    this.file = file;
    this.filenameValue = literalValue(`${PLUGIN_FOLDER_MARKER}/${file}`);
    this.table.defineGlobal('__filename', this.filenameValue);
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

  // ---------------------------------------------------------------- statements and scopes

  private visitStatements(statements: readonly BabelTypes.Statement[]): void {
    this.hoist(statements);
    for (let index = 0; index < statements.length; index++) this.visit(statements[index]!);
  }

  /** Declares what a block declares before running it, so later declarations shadow earlier uses. */
  private hoist(statements: readonly BabelTypes.Node[]): void {
    for (let index = 0; index < statements.length; index++) this.hoistDeclaration(statements[index]!);
  }

  /** Declares what one statement declares; an export declares what its declaration does. */
  private hoistDeclaration(statement: BabelTypes.Node): void {
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
  private declareNamesOnce(
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

  private visitImportDeclaration(node: BabelTypes.ImportDeclaration): void {
    if (node.importKind === 'type' || node.importKind === 'typeof') return;
    const moduleValue = this.importModule(literalValue(node.source.value), node.source, 'import');
    for (const specifier of node.specifiers) {
      if (specifier.type === 'ImportSpecifier' && specifier.importKind === 'type') continue;
      let value: AbstractValue = moduleValue;
      if (specifier.type === 'ImportSpecifier') {
        const imported =
          specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value;
        if (imported !== 'default') value = this.getMember(moduleValue, imported, specifier);
      }
      this.table.bind(this.table.current, specifier.local.name, value);
    }
  }

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

  private visitVariableDeclaration(node: BabelTypes.VariableDeclaration): void {
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

  private declareName(name: string, value: AbstractValue, kind: BindingKind): void {
    if (kind === 'var') this.table.bind(this.table.current.functionScope(), name, value);
    else if (kind === 'assign') this.table.assign(name, value);
    else this.table.bind(this.table.current, name, value);
  }

  /** Binds the names of a pattern to the parts of `value` they destructure. */
  private bindPattern(pattern: BabelTypes.Node, value: AbstractValue, kind: BindingKind): void {
    switch (pattern.type) {
      case 'Identifier':
        this.declareName(pattern.name, value, kind);
        return;
      case 'ObjectPattern':
        for (let index = 0; index < pattern.properties.length; index++) {
          const property = pattern.properties[index]!;
          if (property.type === 'RestElement') {
            this.reportWholeValueUse(value, property);
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
          this.bindPattern(property.value, this.getMember(value, key, property), kind);
        }
        return;
      case 'ArrayPattern':
        for (let index = 0; index < pattern.elements.length; index++) {
          const element = pattern.elements[index];
          if (!element) continue;
          if (element.type === 'RestElement') {
            this.bindPattern(element.argument, UNKNOWN, kind);
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
      case 'TSParameterProperty':
        this.bindPattern(pattern.parameter, value, kind);
        return;
      case 'MemberExpression':
      case 'OptionalMemberExpression':
        this.assignMember(pattern, value);
        return;
      default:
        this.visit(pattern);
        return;
    }
  }

  private assignMember(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
    value: AbstractValue,
  ): void {
    const object = this.visit(node.object);
    const key = this.memberKey(node);
    this.getMember(object, key, node);
    if (object.kind === 'object' && key !== undefined) object.properties.set(key, value);
  }

  // ---------------------------------------------------------------- the visitor

  /** Visits a node once and returns what the scan knows about its value. */
  visit(node: BabelTypes.Node): AbstractValue {
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
        return this.importModule(specifier, node, 'import()');
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
          this.importModule(literalValue(node.source.value), node.source, 're-export');
        }
        if (node.declaration) this.visit(node.declaration);
        return UNKNOWN;
      case 'ExportAllDeclaration':
        if (node.exportKind !== 'type')
          this.importModule(literalValue(node.source.value), node.source, 're-export');
        return UNKNOWN;
      case 'ExportDefaultDeclaration':
        this.visit(node.declaration);
        return UNKNOWN;
      case 'TSImportEqualsDeclaration':
        if (node.importKind !== 'type' && node.moduleReference.type === 'TSExternalModuleReference') {
          const value = this.importModule(
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
        this.reportWholeValueUse(value, node);
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
    return this.getMember(object, this.memberKey(node), node);
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
    if (node.type === 'ForInStatement') this.reportWholeValueUse(right, node.right);
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

  private globalValue(name: string): AbstractValue {
    if (name === '__filename') return this.filenameValue;
    return GLOBAL_VALUES.get(name) ?? UNKNOWN;
  }

  private memberKey(
    node: BabelTypes.MemberExpression | BabelTypes.OptionalMemberExpression,
  ): string | undefined {
    const property = node.property;
    if (!node.computed) return property.type === 'Identifier' ? property.name : undefined;
    // `object['key']`, `list[0]`: the key without building a value for it.
    if (property.type === 'StringLiteral') return property.value;
    if (property.type === 'NumericLiteral') return String(property.value);
    return propertyKeyOf(this.visit(property));
  }

  /** What the scan knows about `object[key]`; records env reads and unknown members of sensitive objects. */
  private getMember(object: AbstractValue, key: string | undefined, node: BabelTypes.Node): AbstractValue {
    // Any object's constructor's constructor is Function: `this.constructor.constructor(code)`.
    // UNKNOWN, the commonest object, is answered before reading `kind`.
    if (object === UNKNOWN) return key === 'constructor' ? CONSTRUCTOR_OF_VALUE : UNKNOWN;
    switch (object.kind) {
      case 'global': {
        if (object.path === 'process.env') {
          this.report(
            'ENV_READ',
            node,
            key === undefined
              ? 'reads process.env with a key that is not statically known'
              : `reads process.env.${key}`,
            key ?? null,
          );
          return UNKNOWN;
        }
        if (key === undefined) {
          return SENSITIVE_GLOBALS.has(object.path)
            ? { kind: 'unresolved-member', base: object.path }
            : UNKNOWN;
        }
        if (key === 'constructor') {
          return NON_FUNCTION_GLOBALS.has(object.path)
            ? { kind: 'constructor-of' }
            : FUNCTION_CONSTRUCTOR_VALUE;
        }
        if ((key === 'call' || key === 'apply' || key === 'bind') && !NON_FUNCTION_GLOBALS.has(object.path))
          return { kind: 'invoker', target: object, mode: key };
        if (object.path === 'import.meta') {
          return key === 'dirname' ? literalValue(PLUGIN_FOLDER_MARKER) : UNKNOWN;
        }
        return this.globalAt(object.path === 'globalThis' ? key : `${object.path}.${key}`);
      }
      case 'module': {
        if (key === undefined) {
          const kind = moduleKindOf(object.module);
          return kind === 'path' || kind === 'process'
            ? UNKNOWN
            : {
                kind: 'unresolved-member',
                base: object.path ? `${object.module}.${object.path}` : object.module,
              };
        }
        if (key === 'constructor')
          return object.path ? FUNCTION_CONSTRUCTOR_VALUE : { kind: 'constructor-of' };
        if (key === 'call' || key === 'apply' || key === 'bind')
          return { kind: 'invoker', target: object, mode: key };
        if (key === 'default' && object.path === '') return object;
        if (object.module === 'module' && object.path === '' && key === 'prototype') {
          return { kind: 'module', module: 'module', path: 'prototype' };
        }
        if (depthOf(object.path) >= MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
        return { kind: 'module', module: object.module, path: object.path ? `${object.path}.${key}` : key };
      }
      case 'literal': {
        if (key === undefined) return UNKNOWN;
        if (key === 'constructor') return { kind: 'constructor-of' };
        if (typeof object.value === 'string') {
          if (key === 'length') return literalValue(object.value.length);
          if (FOLDABLE_STRING_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
          if (/^\d+$/.test(key)) return literalValue(object.value[Number(key)]);
        }
        if (typeof object.value === 'number' && key === 'toString')
          return { kind: 'method', receiver: object, name: key };
        return UNKNOWN;
      }
      case 'array': {
        if (key === undefined) return UNKNOWN;
        if (key === 'constructor') return { kind: 'constructor-of' };
        if (key === 'length') return literalValue(object.elements.length);
        if (FOLDABLE_ARRAY_METHODS.has(key)) return { kind: 'method', receiver: object, name: key };
        if (/^\d+$/.test(key)) return object.elements[Number(key)] ?? UNDEFINED_VALUE;
        return UNKNOWN;
      }
      case 'object': {
        if (key === undefined) return UNKNOWN;
        const property = object.properties.get(key);
        if (property !== undefined) return property;
        return key === 'constructor' ? { kind: 'constructor-of' } : UNKNOWN;
      }
      case 'text':
        return key === 'constructor' ? { kind: 'constructor-of' } : UNKNOWN;
      case 'function':
        if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
        return UNKNOWN;
      case 'constructor-of':
        return key === 'constructor' ? FUNCTION_CONSTRUCTOR_VALUE : UNKNOWN;
      case 'method':
      case 'invoker':
        if (key === 'constructor') return FUNCTION_CONSTRUCTOR_VALUE;
        if (key === 'call' || key === 'apply' || key === 'bind')
          return { kind: 'invoker', target: object, mode: key };
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private globalAt(path: string): AbstractValue {
    const alias = GLOBAL_ALIASES.get(path);
    if (alias !== undefined) return alias;
    const dot = path.indexOf('.');
    if (dot < 0) return this.globalValue(path);
    if (depthOf(path) > MAX_GLOBAL_PATH_DEPTH) return UNKNOWN;
    return { kind: 'global', path };
  }

  // ---------------------------------------------------------------- expressions

  private visitTemplateLiteral(node: BabelTypes.TemplateLiteral): AbstractValue {
    let text = node.quasis[0]?.value.cooked ?? '';
    let known = node.quasis[0]?.value.cooked !== undefined && node.quasis[0]?.value.cooked !== null;
    for (let index = 0; index < node.expressions.length; index++) {
      const expression = node.expressions[index]!;
      const value = this.visit(expression);
      this.reportWholeValueUse(value, expression);
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
        this.reportWholeValueUse(spread, element);
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
        this.reportWholeValueUse(spread, property);
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
      return this.importModule(values[0] ?? UNKNOWN, node, 'import()');
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
    return this.callValue(callee, args, node, node.type === 'NewExpression');
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
      if (type === 'Identifier') this.reportEscapedValue(this.table.lookup(argument.name), node);
      else if (type === 'MemberExpression') this.reportEscapedValue(this.visitMember(argument), node);
      else if (type === 'SpreadElement') this.reportWholeValueUse(this.visit(argument.argument), argument);
      else if (!isLiteralType(type)) this.reportEscapedValue(this.visit(argument), node);
    }
  }

  private visitArguments(argumentNodes: readonly BabelTypes.Node[]): AbstractValue[] {
    const values: AbstractValue[] = [];
    for (let index = 0; index < argumentNodes.length; index++) {
      const argument = argumentNodes[index]!;
      if (argument.type === 'SpreadElement') {
        const spread = this.visit(argument.argument);
        this.reportWholeValueUse(spread, argument);
        if (spread.kind === 'array') values.push(...spread.elements);
        else values.push(UNKNOWN);
      } else {
        values.push(this.visit(argument));
      }
    }
    return values;
  }

  /** Applies a call of `callee` to `args`: records the capability it uses and folds its result. */
  private callValue(
    callee: AbstractValue,
    args: AbstractValue[],
    node: BabelTypes.Node,
    isNew: boolean,
  ): AbstractValue {
    switch (callee.kind) {
      case 'global':
        return this.callGlobal(callee.path, args, node, isNew);
      case 'module':
        return this.callModule(callee.module, callee.path, args, node, isNew);
      case 'method':
        return foldMethodCall(callee.receiver, callee.name, args);
      case 'invoker': {
        const target = callee.target;
        // `f.call.bind(g)`, `f.call.call(g, ...)`: the `this` given to call/apply is what runs.
        if (target.kind === 'invoker') {
          const rebound: AbstractValue = { kind: 'invoker', target: args[0] ?? UNKNOWN, mode: target.mode };
          if (callee.mode === 'bind') return rebound;
          const rest =
            callee.mode === 'call' ? args.slice(1) : args[1]?.kind === 'array' ? args[1].elements : [UNKNOWN];
          return this.callValue(rebound, rest, node, isNew);
        }
        if (callee.mode === 'bind') return target;
        if (callee.mode === 'call') return this.callValue(target, args.slice(1), node, isNew);
        return this.callValue(target, args[1]?.kind === 'array' ? args[1].elements : [UNKNOWN], node, isNew);
      }
      case 'unresolved-member':
        this.report(
          'DYNAMIC_MEMBER_CALL',
          node,
          `calls a member of ${callee.base} whose name is not statically known`,
        );
        return UNKNOWN;
      default:
        for (const argument of args) this.reportEscapedValue(argument, node);
        return UNKNOWN;
    }
  }

  private callGlobal(
    path: string,
    args: AbstractValue[],
    node: BabelTypes.Node,
    isNew: boolean,
  ): AbstractValue {
    switch (path) {
      case 'require':
        return this.importModule(args[0] ?? UNKNOWN, node, 'require');
      case 'require.resolve':
        return UNKNOWN;
      case 'eval': {
        const code = args[0] === undefined ? undefined : stringOf(args[0]);
        this.report(
          'EVAL_CALL',
          node,
          code === undefined ? 'evaluates code with eval' : `evaluates code with eval: ${preview(code)}`,
        );
        return UNKNOWN;
      }
      case 'Function': {
        const body =
          args.length === 0
            ? ''
            : args[args.length - 1] === undefined
              ? undefined
              : stringOf(args[args.length - 1]!);
        if (body !== undefined && BENIGN_FUNCTION_BODIES.has(body.trim())) return FUNCTION_VALUE;
        this.report(
          'FUNCTION_CONSTRUCTOR',
          node,
          `builds a function from a string with ${isNew ? 'new ' : ''}Function${body === undefined ? '' : `: ${preview(body)}`}`,
        );
        return FUNCTION_VALUE;
      }
      case 'setTimeout':
      case 'setInterval': {
        const first = args[0];
        if (first?.kind === 'literal' && typeof first.value === 'string') {
          this.report('STRING_TIMER', node, `passes a string of code to ${path}: ${preview(first.value)}`);
        } else if (first?.kind === 'text') {
          this.report('STRING_TIMER', node, `passes a string of code built at run time to ${path}`);
        } else if (first !== undefined) {
          this.reportEscapedValue(first, node);
        }
        return UNKNOWN;
      }
      case 'fetch':
      case 'WebSocket':
      case 'EventSource':
      case 'navigator.sendBeacon':
        return this.reportNetwork(path, args, node);
      case 'XMLHttpRequest':
        this.report('NETWORK_REQUEST', node, 'opens an XMLHttpRequest', null);
        return UNKNOWN;
      case 'process.binding':
      case 'process._linkedBinding': {
        const name = args[0] === undefined ? undefined : stringOf(args[0]);
        this.report(
          'PROCESS_BINDING',
          node,
          `calls ${path}(${name === undefined ? '...' : JSON.stringify(name)})`,
        );
        return UNKNOWN;
      }
      case 'process.dlopen':
        this.report('NATIVE_ADDON', node, 'loads a native addon with process.dlopen');
        return UNKNOWN;
      case 'Bun.spawn':
      case 'Bun.spawnSync':
      case 'Bun.$':
      case 'Deno.run':
      case 'Deno.Command':
        this.report('SHELL_EXEC', node, `starts a process with ${path}`);
        return UNKNOWN;
      case 'Reflect.get': {
        const key = args[1] === undefined ? undefined : propertyKeyOf(args[1]);
        return this.getMember(args[0] ?? UNKNOWN, key, node);
      }
      case 'Reflect.apply': {
        const list = args[2];
        return this.callValue(
          args[0] ?? UNKNOWN,
          list?.kind === 'array' ? list.elements : [UNKNOWN],
          node,
          false,
        );
      }
      case 'Reflect.construct': {
        const list = args[1];
        return this.callValue(
          args[0] ?? UNKNOWN,
          list?.kind === 'array' ? list.elements : [UNKNOWN],
          node,
          true,
        );
      }
      case 'Object.getPrototypeOf':
      case 'Reflect.getPrototypeOf':
        return args[0]?.kind === 'function' ? FUNCTION_VALUE : UNKNOWN;
      default: {
        const folded = foldGlobalCall(path, args);
        if (folded !== undefined) return folded;
        for (const argument of args) this.reportEscapedValue(argument, node);
        return UNKNOWN;
      }
    }
  }

  private callModule(
    module: string,
    path: string,
    args: AbstractValue[],
    node: BabelTypes.Node,
    isNew: boolean,
  ): AbstractValue {
    const kind = moduleKindOf(module);
    const name = path ? `${module}.${path}` : module;
    switch (kind) {
      case 'module':
        if (path === 'createRequire') return REQUIRE_VALUE;
        if (path === '_load' || path === 'prototype.require' || path === 'Module._load') {
          return this.importModule(args[0] ?? UNKNOWN, node, `${name}()`);
        }
        return UNKNOWN;
      case 'shell':
        if (isShellCall(module, path)) {
          const command = args[0] === undefined ? undefined : stringOf(args[0]);
          this.report(
            'SHELL_EXEC',
            node,
            `starts a process with ${name}${command === undefined ? '' : `: ${preview(command)}`}`,
          );
        }
        return UNKNOWN;
      case 'filesystem':
        this.reportFileSystem(name, path, args, node);
        return UNKNOWN;
      case 'network':
        if (!isHarmlessNetworkCall(path)) this.reportNetwork(name, args, node);
        return UNKNOWN;
      case 'worker':
        if (isNew && path === 'Worker') this.checkWorker(args, node);
        return UNKNOWN;
      case 'path':
        return path === 'join' || path === 'resolve' || path === 'normalize'
          ? foldPathCall(path, args)
          : UNKNOWN;
      default:
        for (const argument of args) this.reportEscapedValue(argument, node);
        return UNKNOWN;
    }
  }

  private checkWorker(args: AbstractValue[], node: BabelTypes.Node): void {
    const source = args[0] === undefined ? undefined : stringOf(args[0]);
    const options = args[1];
    const evalOption = options?.kind === 'object' ? options.properties.get('eval') : undefined;
    if (evalOption !== undefined && !(evalOption.kind === 'literal' && !evalOption.value)) {
      this.report('WORKER_EVAL', node, 'starts a worker from a string of code (eval: true)');
    } else if (source?.startsWith('data:')) {
      this.report('WORKER_EVAL', node, 'starts a worker from a data: URL');
    }
  }

  private reportFileSystem(name: string, path: string, args: AbstractValue[], node: BabelTypes.Node): void {
    const flags = args[1] === undefined ? undefined : stringOf(args[1]);
    const access = classifyFileSystemCall(path, flags);
    if (access === undefined) return;
    const member = path.replace(/^promises\./, '').replace(/Sync$/, '');
    const pathOf = (value: AbstractValue | undefined) =>
      value === undefined ? null : (stringOf(value) ?? null);
    const record = (code: 'FS_READ' | 'FS_WRITE', target: string | null) => {
      const verb = code === 'FS_READ' ? 'reads' : 'writes';
      this.report(
        code,
        node,
        `${verb} ${target === null ? 'a path not statically known' : displayPath(target)} with ${name}`,
        target,
      );
    };
    if (member === 'copyFile' || member === 'cp' || member === 'copy' || member === 'link') {
      record('FS_READ', pathOf(args[0]));
      record('FS_WRITE', pathOf(args[1]));
    } else if (member === 'rename' || member === 'move') {
      record('FS_WRITE', pathOf(args[0]));
      record('FS_WRITE', pathOf(args[1]));
    } else if (member === 'symlink') {
      record('FS_WRITE', pathOf(args[1]));
    } else {
      const fileDescriptorCall =
        member === 'write' || member === 'writev' || member === 'read' || member === 'readv';
      record(
        access === 'filesystem_read' ? 'FS_READ' : 'FS_WRITE',
        fileDescriptorCall ? null : pathOf(args[0]),
      );
    }
  }

  private reportNetwork(name: string, args: AbstractValue[], node: BabelTypes.Node): AbstractValue {
    const target = networkTarget(name, args);
    this.report(
      'NETWORK_REQUEST',
      node,
      target === null
        ? `uses the network with ${name}; the target is not statically known`
        : `connects to ${target} with ${name}`,
      target,
    );
    return UNKNOWN;
  }

  /** A tracked value used as a whole (passed along, spread, iterated): report what it gives access to. */
  private reportWholeValueUse(value: AbstractValue, node: BabelTypes.Node): void {
    if (value !== UNKNOWN && value.kind === 'global' && value.path === 'process.env') {
      this.report('ENV_READ', node, 'reads the whole of process.env', null);
    }
  }

  /** A dangerous function passed as a value (`[code].map(eval)`, `promisify(exec)`) counts as a use. */
  private reportEscapedValue(value: AbstractValue, node: BabelTypes.Node): void {
    if (value === UNKNOWN) return;
    if (value.kind === 'global') {
      switch (value.path) {
        case 'eval':
          this.report('EVAL_CALL', node, 'passes eval as a value');
          return;
        case 'Function':
          this.report('FUNCTION_CONSTRUCTOR', node, 'passes the Function constructor as a value');
          return;
        case 'process.env':
          this.reportWholeValueUse(value, node);
          return;
        case 'process.binding':
        case 'process._linkedBinding':
          this.report('PROCESS_BINDING', node, `passes ${value.path} as a value`);
          return;
        case 'process.dlopen':
          this.report('NATIVE_ADDON', node, 'passes process.dlopen as a value');
          return;
        case 'fetch':
          this.report(
            'NETWORK_REQUEST',
            node,
            'passes fetch as a value; the target is not statically known',
            null,
          );
          return;
        default:
          return;
      }
    }
    if (value.kind === 'module' && value.path !== '') {
      const kind = moduleKindOf(value.module);
      const name = `${value.module}.${value.path}`;
      if (kind === 'shell' && isShellCall(value.module, value.path)) {
        this.report('SHELL_EXEC', node, `passes ${name} as a value`);
      } else if (kind === 'filesystem') {
        const access = classifyFileSystemCall(value.path, undefined);
        if (access === 'filesystem_read') this.report('FS_READ', node, `passes ${name} as a value`, null);
        if (access === 'filesystem_write') this.report('FS_WRITE', node, `passes ${name} as a value`, null);
      }
    }
  }

  /** Records a module load (require, import, import(), re-export) and returns the module's value. */
  private importModule(specifier: AbstractValue, node: BabelTypes.Node, how: string): AbstractValue {
    const name = stringOf(specifier);
    if (name === undefined) {
      this.report('DYNAMIC_IMPORT', node, `loads a module with ${how} whose name is not statically known`);
      return UNKNOWN;
    }
    const line = node.loc?.start.line ?? 1;
    const column = (node.loc?.start.column ?? 0) + 1;
    this.imports.push({ specifier: name, line, column });
    if (name.startsWith('data:')) {
      this.report('DATA_URL_IMPORT', node, `imports code from a data: URL with ${how}: ${preview(name)}`);
      return UNKNOWN;
    }
    if (/\.node$/i.test(name)) {
      this.report('NATIVE_ADDON', node, `loads the native addon ${JSON.stringify(name)} with ${how}`);
      return UNKNOWN;
    }
    const tracked = lookupModule(name);
    if (tracked === undefined) return UNKNOWN;
    const shown = normaliseSpecifier(name);
    switch (tracked.kind) {
      case 'shell':
        this.report('SHELL_MODULE', node, `imports ${shown}, which runs processes`);
        break;
      case 'eval':
        this.report('VM_MODULE', node, `imports ${shown}, which evaluates code`);
        break;
      case 'network':
        this.report('NETWORK_MODULE', node, `imports the network module ${shown}`);
        break;
      case 'process':
        return { kind: 'global', path: 'process' };
      default:
        break;
    }
    return { kind: 'module', module: tracked.module, path: tracked.path };
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
/** `x.constructor` of something not known to be a function; immutable, so shared. */
const CONSTRUCTOR_OF_VALUE: AbstractValue = { kind: 'constructor-of' };
const TRUE_VALUE: AbstractValue = literalValue(true);
const FALSE_VALUE: AbstractValue = literalValue(false);
const NULL_VALUE: AbstractValue = literalValue(null);
/** Shared values of the small integers that make up most numeric literals (indexes, flags, sizes). */
const SMALL_INTEGER_VALUES: readonly AbstractValue[] = Array.from({ length: 256 }, (_, index) =>
  literalValue(index),
);

/** The value of a numeric literal; values are immutable, so small integers share theirs. */
function numberValue(value: number): AbstractValue {
  return value >= 0 && value < 256 && Number.isInteger(value)
    ? SMALL_INTEGER_VALUES[value]!
    : literalValue(value);
}

/**
 * Whether a value is a folded literal. Most values are UNKNOWN: comparing with it first spares
 * reading `kind`, a megamorphic load across the shapes of values.
 */
function isLiteral(value: AbstractValue): value is LiteralValue {
  return value !== UNKNOWN && value.kind === 'literal';
}

/** Whether a value is a string (known or not). */
function isText(value: AbstractValue): boolean {
  if (value === UNKNOWN) return false;
  return value.kind === 'text' || (value.kind === 'literal' && typeof value.value === 'string');
}

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

/** How many segments a dotted path has. */
function depthOf(path: string): number {
  let depth = 1;
  for (let index = path.indexOf('.'); index >= 0; index = path.indexOf('.', index + 1)) depth += 1;
  return depth;
}

function foldBinary(
  operator: string,
  left: string | number | boolean | null | undefined,
  right: string | number | boolean | null | undefined,
): AbstractValue {
  switch (operator) {
    case '+': {
      if (typeof left === 'string' || typeof right === 'string') {
        const text = String(left) + String(right);
        return text.length <= MAX_FOLDED_STRING_LENGTH ? literalValue(text) : UNKNOWN;
      }
      if (typeof left === 'number' && typeof right === 'number') return literalValue(left + right);
      return UNKNOWN;
    }
    case '-':
    case '*':
    case '/':
    case '%':
    case '^':
    case '|':
    case '&':
      if (typeof left !== 'number' || typeof right !== 'number') return UNKNOWN;
      if (operator === '-') return literalValue(left - right);
      if (operator === '*') return literalValue(left * right);
      if (operator === '/') return literalValue(left / right);
      if (operator === '%') return literalValue(left % right);
      if (operator === '^') return literalValue(left ^ right);
      if (operator === '|') return literalValue(left | right);
      return literalValue(left & right);
    case '===':
    case '==':
      return literalValue(left === right);
    case '!==':
    case '!=':
      return literalValue(left !== right);
    default:
      return UNKNOWN;
  }
}

/** A short, single-line excerpt of folded code for a finding message. */
function preview(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine);
}

/** A folded path for messages, with the plugin folder marker spelled out. */
export function displayPath(path: string): string {
  return path.startsWith(PLUGIN_FOLDER_MARKER)
    ? `<plugin folder>${path.slice(PLUGIN_FOLDER_MARKER.length)}`
    : path;
}

/** The host (with port when given) a network call reaches, or null when not statically known. */
function networkTarget(name: string, args: AbstractValue[]): string | null {
  const first = args[0];
  if (first === undefined) return null;
  const hostish = /^(net|tls|dns|dgram)\b/.test(name);
  if (first.kind === 'literal') {
    if (typeof first.value === 'number' && hostish) {
      const host = args[1] === undefined ? undefined : stringOf(args[1]);
      return `${host ?? 'localhost'}:${first.value}`;
    }
    const text = stringOf(first);
    if (text === undefined) return null;
    const fromUrl = hostOfUrl(text);
    if (fromUrl !== undefined) return fromUrl;
    if (hostish && /^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:]+\]$/.test(text)) return text.toLowerCase();
    return null;
  }
  if (first.kind === 'object') {
    const url =
      first.properties.get('url') ?? first.properties.get('baseURL') ?? first.properties.get('origin');
    const urlText = url === undefined ? undefined : stringOf(url);
    if (urlText !== undefined) return hostOfUrl(urlText) ?? null;
    const hostValue = first.properties.get('hostname') ?? first.properties.get('host');
    const host = hostValue === undefined ? undefined : stringOf(hostValue);
    if (host === undefined) return null;
    const portValue = first.properties.get('port');
    const port = portValue === undefined ? undefined : stringOf(portValue);
    return port === undefined || host.includes(':') ? host.toLowerCase() : `${host.toLowerCase()}:${port}`;
  }
  return null;
}

function hostOfUrl(text: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return undefined;
  try {
    const url = new URL(text);
    return url.port ? `${url.hostname}:${url.port}` : url.hostname;
  } catch {
    return undefined;
  }
}
