import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';

const BUILTINS: ReadonlySet<string> = new Set(builtinModules);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier) || BUILTINS.has(packageName(specifier));
}

/**
 * The packages (not Node built-ins, not relative files) a built entry module and the local files
 * it imports reach for: what an installed plugin would look up in a node_modules. Empty for a
 * bundled plugin.
 * @throws PluginError ENTRY_INVALID when the module cannot be read or parsed
 * @example
 * await findPackageImports('./my-plugin', 'dist/main.js'); // [] once bundled, ['@agentplug/sdk'] if not
 */
export async function findPackageImports(pluginPath: string, entryFile: string): Promise<string[]> {
  const { build } = await import('esbuild');
  try {
    const result = await build({
      absWorkingDir: pluginPath,
      entryPoints: [join(pluginPath, entryFile)],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      metafile: true,
      logLevel: 'silent',
    });
    const names = new Set<string>();
    for (const input of Object.values(result.metafile?.inputs ?? {})) {
      for (const imported of input.imports) {
        if (imported.external && !isBuiltin(imported.path) && !/^[./]/.test(imported.path)) {
          names.add(packageName(imported.path));
        }
      }
    }
    return [...names].sort();
  } catch (error) {
    throw new PluginError(
      'ENTRY_INVALID',
      `cannot read the imports of ${entryFile}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
      { cause: error },
    );
  }
}
