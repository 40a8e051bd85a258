import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FindingSchema } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import { isScannedFile } from '../src/scan/parse-source';
import { scanSource } from '../src/scan/scan-source';

const workspaceRoot = join(dirname(fileURLToPath(import.meta.url)), '../../..');

/** A deterministic sample of installed dependency code: sorted, capped in count and size. */
async function sampleInstalledFiles(limitBytes: number): Promise<string[]> {
  const store = join(workspaceRoot, 'node_modules/.pnpm');
  const packages = (await readdir(store)).sort().filter((name) => !name.startsWith('.'));
  const files: string[] = [];
  let total = 0;
  for (const name of packages) {
    const packageRoot = join(store, name, 'node_modules');
    const pending = [packageRoot];
    let perPackage = 0;
    while (pending.length > 0 && perPackage < 8) {
      const folder = pending.shift()!;
      const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
      entries.sort((left, right) => left.name.localeCompare(right.name));
      for (const entry of entries) {
        const path = join(folder, entry.name);
        if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'test') pending.push(path);
        else if (entry.isFile() && isScannedFile(entry.name) && perPackage < 8) {
          const size = (await stat(path)).size;
          if (size > 200_000) continue;
          files.push(path);
          perPackage += 1;
          total += size;
          if (total > limitBytes) return files;
        }
      }
    }
  }
  return files;
}

describe('scanSource over real code', () => {
  it("scans the workspace's installed dependencies without a crash, every finding well formed", async () => {
    const files = await sampleInstalledFiles(3_000_000);
    expect(files.length).toBeGreaterThan(100);
    const codes = new Map<string, number>();
    for (const file of files) {
      const code = await readFile(file, 'utf8');
      const findings = scanSource(code, { filename: relative(workspaceRoot, file) });
      for (const finding of findings) {
        expect(FindingSchema.safeParse(finding).success).toBe(true);
        codes.set(finding.code, (codes.get(finding.code) ?? 0) + 1);
      }
    }
    // Real code uses the file system and loads modules by computed names; the scan must see some of it.
    expect(codes.get('FS_READ') ?? 0).toBeGreaterThan(0);
  }, 60_000);
});
