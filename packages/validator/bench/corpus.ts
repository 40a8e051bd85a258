import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isScannedFile } from '../src/scan/parse-source';

/** One file of the benchmark corpus. */
export interface CorpusFile {
  /** Path relative to the workspace root. */
  name: string;
  code: string;
  bytes: number;
}

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * A deterministic corpus of real JavaScript: the workspace's installed dependencies, packages in
 * sorted order, files in sorted order, at most 12 files per package and 150 kB per file, until
 * `limitBytes` is reached (by default, all of them).
 */
export async function loadCorpus(limitBytes: number = Number.POSITIVE_INFINITY): Promise<CorpusFile[]> {
  const store = join(workspaceRoot, 'node_modules/.pnpm');
  const packages = (await readdir(store))
    .filter((name) => !name.startsWith('.') && !name.startsWith('@agentplug'))
    .sort();
  const files: CorpusFile[] = [];
  let total = 0;
  for (const packageName of packages) {
    const pending = [join(store, packageName, 'node_modules')];
    let taken = 0;
    while (pending.length > 0 && taken < 12) {
      const folder = pending.shift()!;
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) {
          if (entry.name !== 'node_modules') pending.push(path);
          continue;
        }
        if (!entry.isFile() || !/\.(c|m)?js$/.test(entry.name) || !isScannedFile(entry.name) || taken >= 12)
          continue;
        const size = (await stat(path)).size;
        if (size === 0 || size > 150_000) continue;
        const code = await readFile(path, 'utf8');
        files.push({ name: relative(workspaceRoot, path), code, bytes: Buffer.byteLength(code) });
        taken += 1;
        total += size;
        if (total >= limitBytes) return files;
      }
    }
  }
  return files;
}
