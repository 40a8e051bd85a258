import type * as BabelTypes from '@babel/types';

/** How many statements the search looks at before it stops (names past it count as not declared). */
const MAX_STATEMENTS = 20_000;

function addPatternNames(pattern: BabelTypes.Node | null | undefined, names: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      names.add(pattern.name);
      return;
    case 'ObjectPattern':
      for (const property of pattern.properties)
        addPatternNames(property.type === 'RestElement' ? property.argument : property.value, names);
      return;
    case 'ArrayPattern':
      for (const element of pattern.elements) addPatternNames(element, names);
      return;
    case 'AssignmentPattern':
      addPatternNames(pattern.left, names);
      return;
    case 'RestElement':
      addPatternNames(pattern.argument, names);
      return;
    case 'TSParameterProperty':
      addPatternNames(pattern.parameter, names);
      return;
    default:
      return;
  }
}

/**
 * The names a function's parameters and statements (or a program's) declare, in any block of
 * that function but not in the functions inside it. The binding table leaves out variables that
 * hold nothing it tracks, so this tells a local of the function from a global when it matters:
 * when a dangerous value is assigned to one. Computed once per function, when first needed.
 */
export function collectDeclaredNames(
  params: readonly BabelTypes.Node[],
  statements: readonly BabelTypes.Statement[],
): Set<string> {
  const names = new Set<string>();
  for (const parameter of params) addPatternNames(parameter, names);
  const pending: BabelTypes.Node[] = [...statements];
  for (let seen = 0; pending.length > 0 && seen < MAX_STATEMENTS; seen++) {
    const statement = pending.pop()!;
    switch (statement.type) {
      case 'VariableDeclaration':
        for (const declarator of statement.declarations) addPatternNames(declarator.id, names);
        break;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (statement.id) names.add(statement.id.name);
        break;
      case 'BlockStatement':
      case 'StaticBlock':
        pending.push(...statement.body);
        break;
      case 'IfStatement':
        pending.push(statement.consequent);
        if (statement.alternate) pending.push(statement.alternate);
        break;
      case 'ForStatement':
        if (statement.init) pending.push(statement.init);
        pending.push(statement.body);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        pending.push(statement.left, statement.body);
        break;
      case 'WhileStatement':
      case 'DoWhileStatement':
      case 'LabeledStatement':
      case 'WithStatement':
        pending.push(statement.body);
        break;
      case 'TryStatement':
        pending.push(statement.block);
        if (statement.handler) {
          addPatternNames(statement.handler.param, names);
          pending.push(statement.handler.body);
        }
        if (statement.finalizer) pending.push(statement.finalizer);
        break;
      case 'SwitchStatement':
        for (const switchCase of statement.cases) pending.push(...switchCase.consequent);
        break;
      case 'ExportNamedDeclaration':
      case 'ExportDefaultDeclaration':
        if (statement.declaration) pending.push(statement.declaration);
        break;
      default:
        break;
    }
  }
  return names;
}
