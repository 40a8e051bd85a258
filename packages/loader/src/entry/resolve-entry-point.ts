import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPathInside, listEntryPointCandidates, PluginError } from '@agentplug/models';

function isInside(folder: string, target: string): boolean {
  return isPathInside(folder, target, { allowEqual: false });
}

/** Directory listings read during one resolution, so each folder is read once. */
class ListingCache {
  private readonly listings = new Map<string, Promise<Map<string, Dirent> | undefined>>();

  entry(directory: string, name: string): Promise<Dirent | undefined> {
    let listing = this.listings.get(directory);
    if (listing === undefined) {
      listing = readdir(directory, { withFileTypes: true }).then(
        (entries) => new Map(entries.map((entry) => [entry.name, entry])),
        () => undefined,
      );
      this.listings.set(directory, listing);
    }
    return listing.then((entries) => entries?.get(name));
  }
}

/**
 * Whether `candidate` (a relative path with `/`) is a file in `folder`, and whether a symbolic
 * link lies on the way (then the real path must be checked).
 */
async function findCandidate(
  folder: string,
  candidate: string,
  listings: ListingCache,
): Promise<{ found: boolean; throughLink: boolean }> {
  const segments = candidate.split('/');
  let directory = folder;
  let throughLink = false;
  for (const [index, segment] of segments.entries()) {
    const entry = await listings.entry(directory, segment);
    if (entry === undefined) return { found: false, throughLink };
    const isLast = index === segments.length - 1;
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      throughLink = true;
      try {
        const info = await stat(join(directory, segment));
        isDirectory = info.isDirectory();
        isFile = info.isFile();
      } catch {
        return { found: false, throughLink };
      }
    }
    if (isLast) return { found: isFile, throughLink };
    if (!isDirectory) return { found: false, throughLink };
    directory = join(directory, segment);
  }
  return { found: false, throughLink };
}

/**
 * Resolves a manifest's `entry_point` to the absolute path of the module file inside the plugin
 * folder: the first file of models' `listEntryPointCandidates` that exists (`"main"` → main.js,
 * main.mjs, main.cjs or main/index.js; `"calculator.main"` → calculator/main.js), the rule the
 * validator checks too. Symbolic links are followed, but the file must stay inside the plugin
 * folder.
 *
 * @throws PluginError ENTRY_NOT_FOUND when no candidate exists (the message lists what was tried),
 * or when the entry point leaves the plugin folder
 * @example
 * await resolveEntryPoint('/plugins/calculator', 'calculator.main'); // '/plugins/calculator/calculator/main.js'
 */
export async function resolveEntryPoint(pluginPath: string, entryPoint: string): Promise<string> {
  const folder = resolve(pluginPath);
  const candidates = listEntryPointCandidates(entryPoint);
  const listings = new ListingCache();
  for (const candidate of candidates) {
    const filePath = join(folder, candidate);
    if (!isInside(folder, filePath)) break;
    const { found, throughLink } = await findCandidate(folder, candidate, listings);
    if (!found) continue;
    if (throughLink) {
      const [realFolder, realFile] = await Promise.all([realpath(folder), realpath(filePath)]);
      if (!isInside(realFolder, realFile)) {
        throw new PluginError('ENTRY_NOT_FOUND', `entry point "${entryPoint}" resolves outside ${folder}`, {
          details: { pluginPath: folder, entryPoint, resolved: realFile },
        });
      }
    }
    return filePath;
  }
  throw new PluginError(
    'ENTRY_NOT_FOUND',
    `entry point "${entryPoint}" does not resolve to a module in ${folder} (tried ${candidates.join(', ')})`,
    { details: { pluginPath: folder, entryPoint, candidates } },
  );
}
