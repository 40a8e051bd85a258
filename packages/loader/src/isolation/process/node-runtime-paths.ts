import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';

let cached: string[] | undefined;

/** The shared libraries the dynamic loader will look up for `binary`, as `ldd` names them. */
function listWithLdd(binary: string): string[] | undefined {
  let output: string;
  try {
    output = execFileSync('ldd', [binary], {
      encoding: 'utf8',
      timeout: 10_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return undefined;
  }
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
    const match = /(?:=>\s*)?(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match?.[1] !== undefined && isAbsolute(match[1])) paths.push(match[1]);
  }
  return paths;
}

/** The shared objects this very process has mapped: the same binary needs the same libraries. */
function listFromMaps(): string[] {
  try {
    const maps = readFileSync('/proc/self/maps', 'utf8');
    const paths = new Set<string>();
    for (const line of maps.split('\n')) {
      const path = line.slice(line.indexOf('/'));
      if (line.includes('/') && /\.so(\.|$)/.test(path)) paths.add(path.trim());
    }
    return [...paths];
  } catch {
    return [];
  }
}

/**
 * What a sandbox must show for Node to start: the Node binary, its shared libraries and the
 * dynamic loader's cache. Computed once per host process.
 */
export function listNodeRuntimePaths(): string[] {
  if (cached !== undefined) return cached;
  const binary = process.execPath;
  const libraries = listWithLdd(binary) ?? listFromMaps();
  cached = [binary, ...libraries, ...['/etc/ld.so.cache'].filter((path) => existsSync(path))];
  return cached;
}
