import { parse } from '@babel/parser';
import type * as t from '@babel/types';
import type { ValidationIssue } from './validation-issue';

/** What the entry module's code says about the capabilities it implements. */
export interface CapabilityImplementationCheck {
  /** Whether the code said it plainly enough to decide (a class, a factory returning a literal, a define* call). */
  decided: boolean;
  issues: ValidationIssue[];
}

/** The sdk's helpers whose `capabilities` object lists the implemented capabilities. */
const DEFINE_HELPERS: ReadonlySet<string> = new Set([
  'definePlugin',
  'defineTool',
  'defineEngine',
  'defineMiddleware',
  'defineIntegration',
  'defineCustom',
]);

const UNDECIDED: CapabilityImplementationCheck = { decided: false, issues: [] };

function keyName(node: t.Node, computed: boolean): string | undefined {
  if (computed) return node.type === 'StringLiteral' ? node.value : undefined;
  if (node.type === 'Identifier') return node.name;
  if (node.type === 'StringLiteral') return node.value;
  return undefined;
}

/** The keys of an object literal, or undefined when a spread or computed key hides some. */
function objectKeys(node: t.ObjectExpression): Set<string> | undefined {
  const names = new Set<string>();
  for (const property of node.properties) {
    if (property.type === 'SpreadElement') return undefined;
    const name = keyName(property.key, property.computed);
    if (name === undefined) return undefined;
    names.add(name);
  }
  return names;
}

function classMembers(node: t.ClassDeclaration | t.ClassExpression): Set<string> | undefined {
  if (node.superClass) return undefined;
  const names = new Set<string>();
  for (const member of node.body.body) {
    if (member.type === 'ClassMethod' && !member.static) {
      if (member.kind === 'constructor') {
        // Methods assigned in the constructor: `this.greet = (...) => ...`.
        for (const statement of member.body.body) {
          const expression = statement.type === 'ExpressionStatement' ? statement.expression : undefined;
          if (expression?.type !== 'AssignmentExpression') continue;
          const target = expression.left;
          if (target.type === 'MemberExpression' && target.object.type === 'ThisExpression') {
            const name = keyName(target.property, target.computed);
            if (name === undefined) return undefined;
            names.add(name);
          }
        }
        continue;
      }
      const name = keyName(member.key, member.computed);
      if (name === undefined) return undefined;
      if (member.kind === 'method') names.add(name);
    } else if (member.type === 'ClassProperty' && !member.static && member.value) {
      const name = keyName(member.key, member.computed);
      if (name === undefined) return undefined;
      names.add(name);
    }
  }
  return names;
}

/** The returned object literals of a function body (not of nested functions); undefined if any return is something else. */
function returnedKeys(body: t.BlockStatement | t.Expression): Set<string> | undefined {
  if (body.type === 'ObjectExpression') return objectKeys(body);
  if (body.type !== 'BlockStatement') return undefined;
  const found: Set<string>[] = [];
  let decidable = true;
  const visit = (node: t.Node): void => {
    if (!decidable) return;
    if (node.type === 'ReturnStatement') {
      const keys = node.argument?.type === 'ObjectExpression' ? objectKeys(node.argument) : undefined;
      if (keys === undefined) decidable = false;
      else found.push(keys);
      return;
    }
    if (/Function|Class/.test(node.type)) return;
    for (const value of Object.values(node)) {
      if (Array.isArray(value))
        for (const child of value) if (child && typeof child.type === 'string') visit(child);
      if (value && typeof value === 'object' && typeof (value as t.Node).type === 'string' && value !== node)
        visit(value as t.Node);
    }
  };
  for (const statement of body.body) visit(statement);
  if (!decidable || found.length === 0) return undefined;
  // Every path must implement a capability: the names all returns share.
  return new Set([...found[0]!].filter((name) => found.every((keys) => keys.has(name))));
}

interface ModuleFacts {
  bindings: Map<string, t.Node>;
  sdkImports: Map<string, string>;
}

function implementedBy(node: t.Node | undefined, facts: ModuleFacts, depth = 0): Set<string> | undefined {
  if (node === undefined || depth > 4) return undefined;
  switch (node.type) {
    case 'ClassDeclaration':
    case 'ClassExpression':
      return classMembers(node);
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return returnedKeys(node.body);
    case 'Identifier':
      return implementedBy(facts.bindings.get(node.name), facts, depth + 1);
    case 'CallExpression': {
      const callee = node.callee.type === 'Identifier' ? facts.sdkImports.get(node.callee.name) : undefined;
      const [options] = node.arguments;
      if (callee === undefined || !DEFINE_HELPERS.has(callee) || options?.type !== 'ObjectExpression')
        return undefined;
      const capabilities = options.properties.find(
        (property) =>
          property.type === 'ObjectProperty' && keyName(property.key, property.computed) === 'capabilities',
      );
      if (capabilities === undefined) return new Set();
      if (capabilities.type !== 'ObjectProperty' || capabilities.value.type !== 'ObjectExpression')
        return undefined;
      return objectKeys(capabilities.value);
    }
    default:
      return undefined;
  }
}

/** The export the loader instantiates, by the loader's order: `Plugin`, `createPlugin`, then the default. */
function findPluginExport(program: t.Program, facts: ModuleFacts): t.Node | undefined {
  const named = new Map<string, t.Node>();
  let defaultExport: t.Node | undefined;
  for (const statement of program.body) {
    if (statement.type === 'ExportNamedDeclaration') {
      const declaration = statement.declaration;
      if (declaration?.type === 'ClassDeclaration' || declaration?.type === 'FunctionDeclaration') {
        if (declaration.id) named.set(declaration.id.name, declaration);
      } else if (declaration?.type === 'VariableDeclaration') {
        for (const declarator of declaration.declarations) {
          if (declarator.id.type === 'Identifier' && declarator.init)
            named.set(declarator.id.name, declarator.init);
        }
      }
      if (statement.source) continue;
      for (const specifier of statement.specifiers) {
        if (specifier.type !== 'ExportSpecifier') continue;
        const exported =
          specifier.exported.type === 'Identifier' ? specifier.exported.name : specifier.exported.value;
        const local = facts.bindings.get(specifier.local.name);
        if (exported === 'default') defaultExport = local;
        else if (local) named.set(exported, local);
      }
    } else if (statement.type === 'ExportDefaultDeclaration') {
      defaultExport = statement.declaration;
    }
  }
  return named.get('Plugin') ?? named.get('createPlugin') ?? defaultExport;
}

function collectFacts(program: t.Program): ModuleFacts {
  const bindings = new Map<string, t.Node>();
  const sdkImports = new Map<string, string>();
  for (const statement of program.body) {
    const declaration =
      statement.type === 'ExportNamedDeclaration' && statement.declaration
        ? statement.declaration
        : statement;
    if (declaration.type === 'ClassDeclaration' || declaration.type === 'FunctionDeclaration') {
      if (declaration.id) bindings.set(declaration.id.name, declaration);
    } else if (declaration.type === 'VariableDeclaration') {
      for (const declarator of declaration.declarations) {
        if (declarator.id.type === 'Identifier' && declarator.init)
          bindings.set(declarator.id.name, declarator.init);
      }
    } else if (declaration.type === 'ImportDeclaration' && declaration.source.value === '@agentplug/sdk') {
      for (const specifier of declaration.specifiers) {
        if (specifier.type !== 'ImportSpecifier') continue;
        const imported =
          specifier.imported.type === 'Identifier' ? specifier.imported.name : specifier.imported.value;
        sdkImports.set(specifier.local.name, imported);
      }
    }
  }
  return { bindings, sdkImports };
}

/**
 * Checks statically that the entry module implements every capability plugin.json declares, where
 * the code says it plainly: an exported `Plugin` class without a superclass (its methods), a
 * `createPlugin` factory returning object literals, or a call of the sdk's `define*` helpers (its
 * `capabilities`). Anything else is left undecided, for a check that loads the plugin.
 * @example
 * checkCapabilityImplementations({ file: 'main.js', source, declared: ['greet'] })
 */
export function checkCapabilityImplementations(options: {
  /** The entry module's path relative to the plugin folder. */
  file: string;
  source: string;
  declared: readonly string[];
}): CapabilityImplementationCheck {
  let program: t.Program;
  try {
    program = parse(options.source, { sourceType: 'unambiguous', errorRecovery: false }).program;
  } catch {
    // The code scan reports what does not parse.
    return UNDECIDED;
  }
  const facts = collectFacts(program);
  const implemented = implementedBy(findPluginExport(program, facts), facts);
  if (implemented === undefined) return UNDECIDED;
  const issues: ValidationIssue[] = options.declared
    .filter((name) => !implemented.has(name))
    .map((name) => ({
      code: 'CAPABILITY_NOT_IMPLEMENTED',
      severity: 'error',
      file: options.file,
      message: `capability "${name}" is declared in plugin.json but ${options.file} does not implement it (it implements: ${[...implemented].join(', ') || 'nothing'})`,
    }));
  return { decided: true, issues };
}
