import * as nodeModule from 'node:module';

// Runs in Node's module-hooks thread. A relative import made by a module loaded with an
// `agentplug-load=N` query gets the same query, so a plugin's own files are evaluated afresh on
// every load, while packages (bare specifiers) and the host's modules keep Node's cache.
const HOOK_SOURCE = `
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const parent = context.parentURL;
  if (parent === undefined || !(specifier.startsWith('./') || specifier.startsWith('../'))) return result;
  if (!result.url.startsWith('file:') || result.url.includes('?')) return result;
  const query = parent.indexOf('?agentplug-load=');
  if (query === -1) return result;
  return { ...result, url: result.url + parent.slice(query) };
}
`;

let registered = false;

/**
 * Registers (once per process) the module hook that makes a plugin's relative ES module imports
 * fresh on each load, so hot reload picks up edits to any of its files, not only the entry.
 * Does nothing where `module.register` is missing.
 */
export function registerFreshModuleHooks(): void {
  if (registered) return;
  registered = true;
  const register = (nodeModule as { register?: (specifier: string) => void }).register;
  if (typeof register !== 'function') return;
  register(`data:text/javascript,${encodeURIComponent(HOOK_SOURCE)}`);
}
