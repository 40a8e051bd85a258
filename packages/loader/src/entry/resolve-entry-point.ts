import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PluginError } from '@agentplug/models';

const MODULE_EXTENSIONS: readonly string[] = ['.js', '.mjs', '.cjs'];

/**
 * The files an entry point may name, in the order they are tried: `"main"` gives main.js,
 * main.mjs, main.cjs, main/index.js (then index.mjs, index.cjs); the dotted `"calculator.main"`
 * gives calculator/main.js and so on. An entry point that already ends in .js, .mjs or .cjs is
 * tried as written first.
 */
export function listEntryPointCandidates(entryPoint: string): string[] {
  const candidates: string[] = [];
  if (MODULE_EXTENSIONS.some((extension) => entryPoint.endsWith(extension))) candidates.push(entryPoint);
  const modulePath = entryPoint.replaceAll('.', '/');
  for (const extension of MODULE_EXTENSIONS) candidates.push(`${modulePath}${extension}`);
  for (const extension of MODULE_EXTENSIONS) candidates.push(`${modulePath}/index${extension}`);
  if (modulePath !== entryPoint) {
    for (const extension of MODULE_EXTENSIONS) candidates.push(`${entryPoint}${extension}`);
  }
  return [...new Set(candidates)];
}

function isInside(folder: string, target: string): boolean {
  const path = relative(folder, target);
  return path !== '' && !path.startsWith('..') && !isAbsolute(path);
}

/**
 * Resolves a manifest's `entry_point` to the absolute path of the module file inside the plugin
 * folder, per DESIGN.md: `"main"` → main.js, main.mjs, main.cjs or main/index.js;
 * `"calculator.main"` → calculator/main.js. Symbolic links are followed, but the file must stay
 * inside the plugin folder.
 *
 * @throws PluginError ENTRY_NOT_FOUND when no candidate exists (the message lists what was tried),
 * or when the entry point leaves the plugin folder
 * @example
 * await resolveEntryPoint('/plugins/calculator', 'calculator.main'); // '/plugins/calculator/calculator/main.js'
 */
export async function resolveEntryPoint(pluginPath: string, entryPoint: string): Promise<string> {
  const folder = resolve(pluginPath);
  const candidates = listEntryPointCandidates(entryPoint);
  for (const candidate of candidates) {
    const filePath = join(folder, candidate);
    if (!isInside(folder, filePath)) break;
    let isFile = false;
    try {
      isFile = (await stat(filePath)).isFile();
    } catch {
      continue;
    }
    if (!isFile) continue;
    const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(filePath)]);
    if (!isInside(realFolder, realFile)) {
      throw new PluginError('ENTRY_NOT_FOUND', `entry point "${entryPoint}" resolves outside ${folder}`, {
        details: { pluginPath: folder, entryPoint, resolved: realFile },
      });
    }
    return filePath;
  }
  throw new PluginError(
    'ENTRY_NOT_FOUND',
    `entry point "${entryPoint}" does not resolve to a module in ${folder} (tried ${candidates.join(', ')})`,
    { details: { pluginPath: folder, entryPoint, candidates } },
  );
}
