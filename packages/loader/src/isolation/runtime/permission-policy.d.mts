/** The declared paths of a manifest, absolute (relative ones against the plugin folder), not resolved. */
export declare function expandDeclaredPaths(
  declaredPaths: readonly string[] | undefined,
  pluginPath: string,
): string[];
/** Resolves a path as the OS will: absolute, normalised, symlinks followed (dangling ones too). */
export declare function resolveRealPath(target: string, followLast?: boolean): string;
