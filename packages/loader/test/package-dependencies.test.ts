import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The loader's runtime edges must be true: what a host installing only @agentplug/loader gets is
// what the loader imports, and no more (in particular no validator, so no babel).

const packageFolder = join(dirname(fileURLToPath(import.meta.url)), '..');

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function readPackageJson(folder: string): PackageJson {
  return JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: `node_modules/<name>` in the folder or an ancestor, as a real path (pnpm links). */
function locatePackage(name: string, fromFolder: string): string | undefined {
  let folder = fromFolder;
  for (;;) {
    const candidate = join(folder, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** Every package name a production install of the package in `folder` brings, found as Node would resolve them. */
function productionClosure(folder: string): Set<string> {
  const seen = new Set<string>();
  const visit = (packageFolderPath: string): void => {
    const manifest = readPackageJson(packageFolderPath);
    const required = Object.keys(manifest.dependencies ?? {});
    const optional = Object.keys(manifest.optionalDependencies ?? {});
    for (const name of [...required, ...optional]) {
      const location = locatePackage(name, packageFolderPath);
      if (location === undefined) {
        if (optional.includes(name)) continue;
        throw new Error(`${manifest.name} depends on ${name}, which is not installed`);
      }
      const key = `${name}@${location}`;
      if (seen.has(key)) continue;
      seen.add(key);
      visit(location);
    }
  };
  visit(folder);
  return new Set([...seen].map((key) => key.slice(0, key.indexOf('@', 1))));
}

/** The shipped source files: src without tests and fixtures (the package's `files` rule). */
function listShippedSources(folder: string): string[] {
  const files: string[] = [];
  const visit = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== '__fixtures__') visit(path);
      } else if (/\.(ts|mts|cts|js|mjs|cjs)$/.test(entry.name) && !/\.test(-d)?\.ts$/.test(entry.name)) {
        files.push(path);
      }
    }
  };
  visit(folder);
  return files;
}

const SPECIFIER_PATTERNS: readonly RegExp[] = [
  /\bfrom\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bimport\s+['"]([^'"]+)['"]/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

/** The packages a source file imports (bare specifiers, reduced to the package name; built-ins left out). */
function importedPackages(source: string): string[] {
  const names: string[] = [];
  for (const pattern of SPECIFIER_PATTERNS) {
    for (const match of source.matchAll(pattern)) {
      const specifier = match[1]!;
      // Relative files, data: URLs, and specifiers built at run time (the worker's import of the plugin).
      if (/^(\.|\/|data:)/.test(specifier) || specifier.includes('${')) continue;
      if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) continue;
      const parts = specifier.split('/');
      names.push(specifier.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
    }
  }
  return names;
}

describe('the loader package edges', () => {
  it('declares as runtime dependencies exactly the packages its shipped source imports', () => {
    const imported = new Set<string>();
    for (const file of listShippedSources(join(packageFolder, 'src'))) {
      for (const name of importedPackages(readFileSync(file, 'utf8'))) imported.add(name);
    }
    const declared = Object.keys(readPackageJson(packageFolder).dependencies ?? {}).sort();
    expect([...imported].sort()).toEqual(declared);
    expect(declared).not.toContain('@agentplug/validator');
  });

  it('brings no babel and no validator into a production install', () => {
    const closure = productionClosure(packageFolder);
    // The walk does reach the loader's real dependencies and theirs.
    expect([...closure]).toEqual(
      expect.arrayContaining(['@agentplug/models', '@agentplug/version', 'ajv', 'zod', 'semver']),
    );
    expect(
      [...closure].filter((name) => name.startsWith('@babel/') || name === '@agentplug/validator'),
    ).toEqual([]);
  });

  it('sees babel where it is a production dependency (the validator), so the check above can fail', () => {
    const validatorFolder = locatePackage('@agentplug/validator', packageFolder);
    expect(validatorFolder).toBeDefined();
    expect([...productionClosure(validatorFolder!)]).toContain('@babel/parser');
  });
});
