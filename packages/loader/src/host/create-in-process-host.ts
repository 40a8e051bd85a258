import { createRequire } from 'node:module';
import { sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginError, type SandboxLayers } from '@agentplug/models';
import { registerFreshModuleHooks } from './fresh-module-hooks';
import { instantiatePlugin } from './instantiate-plugin';
import type { LifecycleHook, PluginCallOptions, PluginHost, PluginHostOptions } from './plugin-host';
import { runWithLimits } from './run-with-limits';

let importCounter = 0;

/**
 * Removes every CommonJS module under the plugin folder from the require cache, so the next
 * import evaluates the files as they are on disk now.
 */
function purgeRequireCache(pluginPath: string, entryModulePath: string): void {
  const cache = createRequire(entryModulePath).cache;
  const prefix = pluginPath.endsWith(sep) ? pluginPath : `${pluginPath}${sep}`;
  for (const key of Object.keys(cache)) {
    if (key.startsWith(prefix)) delete cache[key];
  }
}

/**
 * Imports an entry module as it is on disk now. ES modules cannot be evicted from Node's module
 * map, so each import uses a fresh URL (`?agentplug-load=N`): the old module stays in memory for
 * the life of the process (see the README's note on hot-reload memory). The plugin's relative
 * imports inherit the query (see registerFreshModuleHooks), so its other files are fresh too.
 * CommonJS modules are purged from the require cache first.
 *
 * @throws PluginError LOAD_FAILED with the import error as cause
 */
export async function importFresh(options: {
  pluginPath: string;
  entryModulePath: string;
}): Promise<Record<string, unknown>> {
  registerFreshModuleHooks();
  purgeRequireCache(options.pluginPath, options.entryModulePath);
  importCounter += 1;
  const url = `${pathToFileURL(options.entryModulePath).href}?agentplug-load=${importCounter}`;
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginError(
      'LOAD_FAILED',
      `${options.entryModulePath} could not be imported: ${error instanceof Error ? error.message : String(error)}`,
      { details: { entryModulePath: options.entryModulePath }, cause: error },
    );
  }
}

/** No layer at all: the plugin runs in the host's own thread with the host's full power. */
const inProcessLayers: SandboxLayers = Object.freeze({
  isolation: 'none',
  process: false,
  permissionModel: false,
  policy: false,
  os: false,
  network: 'unrestricted',
});

function hasFunction(instance: object, name: string): boolean {
  return typeof (instance as Record<string, unknown>)[name] === 'function';
}

/**
 * Starts a plugin in the host's own thread (`isolation: "none"`): imports the entry module fresh
 * and instantiates it. Fastest, and trusted: the plugin has the host's full power, and a time
 * limit can only abandon a call, not stop it.
 *
 * @throws PluginError LOAD_FAILED (import), ENTRY_INVALID (nothing to instantiate), or whatever the constructor or factory throws
 */
export async function createInProcessHost(options: PluginHostOptions): Promise<PluginHost> {
  const moduleExports = await importFresh(options);
  let instance: object | null = await instantiatePlugin(moduleExports, options);
  const live = (): object => {
    if (instance === null) throw new PluginError('NOT_ACTIVE', `${options.pluginId} has been disposed`);
    return instance;
  };
  return {
    get instance(): object {
      return live();
    },
    sandbox: inProcessLayers,
    hasMethod(name: string): boolean {
      return instance !== null && hasFunction(instance, name);
    },
    callHook(hook: LifecycleHook, callOptions: PluginCallOptions = {}): Promise<void> {
      const target = live();
      if (!hasFunction(target, hook)) return Promise.resolve();
      return runWithLimits(
        async () => {
          await (target as Record<string, () => unknown>)[hook]!();
        },
        callOptions,
        `${options.pluginId}.${hook}()`,
      );
    },
    call(method: string, args: readonly unknown[], callOptions: PluginCallOptions = {}): Promise<unknown> {
      const target = live() as Record<string, (...values: unknown[]) => unknown>;
      if (typeof target[method] !== 'function') {
        return Promise.reject(
          new PluginError('CAPABILITY_NOT_FOUND', `${options.pluginId} has no method ${method}`, {
            details: { pluginId: options.pluginId, method },
          }),
        );
      }
      return runWithLimits(() => target[method]!(...args), callOptions, `${options.pluginId}.${method}()`);
    },
    async dispose(): Promise<void> {
      if (instance === null) return;
      instance = null;
      purgeRequireCache(options.pluginPath, options.entryModulePath);
    },
  };
}
