const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs'];

/**
 * The files a manifest's `entry_point` may name, relative to the plugin folder with `/`
 * separators, in the order they are tried. This is the one rule the validator and the loader
 * share: `"main"` gives main.js, main.mjs, main.cjs, then main/index.js, main/index.mjs,
 * main/index.cjs; the dotted `"calculator.main"` gives calculator/main.js and so on (the seed's
 * Python-style module path), then calculator.main.js; a slashed `"lib/main"` is taken as a path;
 * a name that already ends in .js, .mjs or .cjs is tried as written first.
 *
 * @example
 * listEntryPointCandidates('calculator.main')[0]; // 'calculator/main.js'
 */
export function listEntryPointCandidates(entryPoint: string): string[] {
  const written = entryPoint.replaceAll('\\', '/');
  const candidates: string[] = [];
  if (MODULE_EXTENSIONS.some((extension) => written.endsWith(extension))) candidates.push(written);
  const modulePath = written.includes('/') ? written : written.replaceAll('.', '/');
  for (const extension of MODULE_EXTENSIONS) candidates.push(`${modulePath}${extension}`);
  for (const extension of MODULE_EXTENSIONS) candidates.push(`${modulePath}/index${extension}`);
  if (modulePath !== written) {
    for (const extension of MODULE_EXTENSIONS) candidates.push(`${written}${extension}`);
  }
  return [...new Set(candidates)];
}
