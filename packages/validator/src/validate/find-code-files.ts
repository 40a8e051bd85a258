import { posix } from 'node:path';
import { isScannedFile } from '../scan/parse-source';
import type { LocatedImport } from './cross-check-permissions';

/** Extensions Node never runs as JavaScript when required: data and addons (addons are findings). */
const NOT_CODE = /\.(?:json|node)$/i;

/**
 * Files of the plugin that code loads by a relative name but the scan would skip: `require`
 * runs any file as CommonJS whatever its extension (`require('./notes.md')`, `require('./LICENSE')`),
 * so those files are code and are scanned as such. Returns their paths relative to the folder.
 */
export function findRequiredNonScriptFiles(
  imports: readonly LocatedImport[],
  files: ReadonlySet<string>,
  alreadyScanned: ReadonlySet<string>,
): string[] {
  const found = new Set<string>();
  for (const record of imports) {
    const specifier = record.specifier;
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) continue;
    const target = posix.normalize(posix.join(posix.dirname(record.file), specifier));
    if (target.startsWith('../') || !files.has(target)) continue;
    if (isScannedFile(target) || NOT_CODE.test(target) || alreadyScanned.has(target)) continue;
    found.add(target);
  }
  return [...found];
}
