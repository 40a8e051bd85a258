import { posix } from 'node:path';
import { REACH_FINDINGS, targetOf } from '../scan/escape-rules';
import { FindingCodes } from '../scan/finding-codes';
import { isScannedFile } from '../scan/parse-source';
import { EVERY_CAPABILITY } from '../scan/reach-table';
import { type CapabilityUse, PLUGIN_FOLDER_MARKER } from '../scan/scan-result';
import type { CollectedFiles } from './collect-plugin-files';
import type { LocatedImport } from './cross-check-permissions';
import { followLinks, indexFilesAndLinks } from './follow-links';

/** Extensions Node never runs as JavaScript when required: data and addons (addons are findings). */
const NOT_CODE = /\.(?:json|node)$/i;

/** The plugin's files and links, and its package.json texts, by path relative to the folder. */
export interface PluginLayout {
  /** Regular files. */
  files: ReadonlySet<string>;
  /** Links that stay inside the folder, to the path they resolve to. */
  links: ReadonlyMap<string, string>;
  /** Text of every package.json in the folder (its own, and those under node_modules). */
  packageJsons: ReadonlyMap<string, string>;
}

/** The layout of a plugin folder as {@link findMoreCodeFiles} reads it. */
export function describeLayout(
  collected: CollectedFiles,
  packageJsons: ReadonlyMap<string, string>,
): PluginLayout {
  const { files, links } = indexFilesAndLinks(collected);
  return { files, links, packageJsons };
}

/**
 * Files of the plugin that Node runs as code but the scan would skip, because their extension is
 * not a script's: `require` runs any file as CommonJS (`require('./notes.md')`, `require('./LICENSE')`,
 * `require(__dirname + '/w.txt')`); a link runs its target, under the target's own name
 * (`main.js -> payload.txt`); a package.json's `main`, `exports`, `imports` and `bin` name the
 * files a folder, package or `#name` resolves to. Returns their real paths relative to the folder.
 */
export function findMoreCodeFiles(
  imports: readonly LocatedImport[],
  layout: PluginLayout,
  alreadyScanned: ReadonlySet<string>,
): string[] {
  const found = new Set<string>();
  const consider = (path: string) => {
    const target = layout.links.size > 0 ? followLinks(path, layout.links) : path;
    if (target === '' || target.startsWith('../') || !layout.files.has(target)) return;
    if (isScannedFile(target) || NOT_CODE.test(target) || alreadyScanned.has(target)) return;
    found.add(target);
  };
  for (const record of imports) {
    const specifier = localSpecifier(record.specifier);
    if (specifier !== undefined) consider(posix.normalize(posix.join(posix.dirname(record.file), specifier)));
  }
  // A link named as a script runs its target (`main.js -> payload.txt`); others only when required.
  for (const [link, target] of layout.links) if (isScannedFile(link)) consider(target);
  for (const [file, text] of layout.packageJsons) {
    const folder = posix.dirname(file);
    for (const named of packageTargets(text)) {
      if (!named.includes('*')) {
        consider(posix.normalize(posix.join(folder, named)));
        continue;
      }
      // `"./*": "./lib/*.txt"`: every file the pattern can reach.
      const pattern = patternOf(posix.normalize(posix.join(folder, named)));
      for (const candidate of layout.files) if (pattern.test(candidate)) consider(candidate);
    }
  }
  return [...found];
}

/** A relative specifier, with `__dirname` (the plugin folder marker) spelled `./`; else undefined. */
function localSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith(`${PLUGIN_FOLDER_MARKER}/`))
    return `.${specifier.slice(PLUGIN_FOLDER_MARKER.length)}`;
  return specifier.startsWith('./') || specifier.startsWith('../') ? specifier : undefined;
}

/** Conditions that name type declarations, which no runtime loads. */
const TYPE_CONDITIONS: ReadonlySet<string> = new Set(['types', 'typings']);
/** Files packages export that are not code (a stylesheet, an image, declarations, a source map). */
const ASSET =
  /\.(?:d\.[cm]?ts|css|scss|sass|less|svg|png|jpe?g|gif|webp|ico|woff2?|ttf|otf|eot|html?|md|map|wasm)$/i;

/** How deep `exports` conditions are followed, and how many targets one package.json gives. */
const MAX_EXPORTS_DEPTH = 8;
const MAX_PACKAGE_TARGETS = 1000;

/** The paths a package.json names as code: `main`, and the string leaves of `exports`, `imports` and `bin`. */
function packageTargets(text: string): string[] {
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    return [];
  }
  if (manifest === null || typeof manifest !== 'object') return [];
  const fields = manifest as Record<string, unknown>;
  const targets: string[] = [];
  const collect = (value: unknown, depth: number) => {
    if (targets.length >= MAX_PACKAGE_TARGETS || depth > MAX_EXPORTS_DEPTH) return;
    if (typeof value === 'string') {
      if (!ASSET.test(value)) targets.push(value);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, member] of Object.entries(value))
        if (!TYPE_CONDITIONS.has(key)) collect(member, depth + 1);
    }
  };
  for (const field of ['main', 'exports', 'imports', 'bin']) collect(fields[field], 0);
  return targets;
}

/** A subpath pattern's target (`lib/*.txt`) as a regular expression over folder paths. */
function patternOf(target: string): RegExp {
  const parts = target.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/**
 * Loads of code from outside the plugin folder by a path (`require('/opt/x.js')`,
 * `require('../../x')` out of the folder, `import('file:///...')`): code the scan never sees,
 * so each reaches every capability. JSON files are data and are left out.
 */
export function findOutsideCodeLoads(imports: readonly LocatedImport[]): CapabilityUse[] {
  const uses: CapabilityUse[] = [];
  for (const record of imports) {
    const specifier = localSpecifier(record.specifier) ?? record.specifier;
    if (NOT_CODE.test(specifier) && !/\.node$/i.test(specifier)) continue;
    let outside: string | undefined;
    if (/^file:/i.test(specifier) || specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier)) {
      outside = specifier;
    } else if (specifier.startsWith('../') || specifier.startsWith('./')) {
      const target = posix.normalize(posix.join(posix.dirname(record.file), specifier));
      if (target === '..' || target.startsWith('../')) outside = specifier;
    }
    if (outside === undefined) continue;
    const where = { file: record.file, line: record.line, column: record.column };
    const why = `loads ${JSON.stringify(outside)}, code outside the plugin folder that the scan does not see`;
    uses.push(useOf('DYNAMIC_IMPORT', where, `${why}; ship it in the plugin instead`, undefined));
    for (const capability of EVERY_CAPABILITY) {
      const { code, can } = REACH_FINDINGS[capability];
      uses.push(useOf(code, where, `${why}; that code can ${can}`, targetOf(capability)));
    }
  }
  return uses;
}

function useOf(
  code: keyof typeof FindingCodes,
  where: { file: string; line: number; column: number },
  message: string,
  target: string | null | undefined,
): CapabilityUse {
  const info = FindingCodes[code];
  return {
    finding: { code, capability: info.capability, severity: info.severity, ...where, message },
    target,
  };
}
