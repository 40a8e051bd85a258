/** Keys of TypeScript and Flow type positions, which hold no runtime code. */
export const TYPE_KEYS: ReadonlySet<string> = new Set([
  'typeAnnotation',
  'returnType',
  'typeParameters',
  'superTypeParameters',
  'typeArguments',
  'implements',
  'predicate',
]);

/** Statement types that only declare types. */
export const TYPE_ONLY_STATEMENTS: ReadonlySet<string> = new Set([
  'TSInterfaceDeclaration',
  'TSTypeAliasDeclaration',
  'TSDeclareFunction',
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
