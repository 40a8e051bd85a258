import { realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PluginLoader } from '@agentplug/loader';
import {
  type IsolationMode,
  PluginError,
  type PluginState,
  type PluginStatus,
  type PluginValidatorLike,
  readManifest,
} from '@agentplug/models';

/** Options of {@link createTestHost}. */
export interface CreateTestHostOptions {
  /** The plugin folder (the one holding plugin.json), as a path or a `file:` URL. */
  pluginPath: string | URL;
  /** The plugin's configuration (config.json's `config`), merged over the folder's config.json. */
  config?: Record<string, unknown>;
  /** Run the plugin in the host thread (`"none"`, default) or in a worker, as in production. */
  isolation?: IsolationMode;
  /** Validate the plugin before loading with this validator (for example `new PluginValidator()`). */
  validator?: PluginValidatorLike;
  /** Activate the plugin after loading it. Default true. */
  activate?: boolean;
}

/** A plugin loaded by the real loader for a test; close it when done. */
export interface TestHost {
  /** The plugin id read from plugin.json. */
  readonly pluginId: string;
  /** The loader underneath, for what the helpers do not cover. */
  readonly loader: PluginLoader;
  /** The plugin's live state (status, metadata, config, instance). */
  readonly state: PluginState;
  /** The plugin's lifecycle status. */
  readonly status: PluginStatus;
  /** Calls a capability exactly as a host would: params checked against the manifest's JSON Schema. */
  invoke(capability: string, params?: unknown): Promise<unknown>;
  /** Runs the `activate` hook (LOADED or INACTIVE → ACTIVE). */
  activate(): Promise<void>;
  /** Runs the `deactivate` hook (ACTIVE → INACTIVE). */
  deactivate(): Promise<void>;
  /** Reloads the plugin from its folder (after a rebuild), keeping its status. */
  reload(): Promise<void>;
  /** Unloads the plugin (running `deactivate` and `cleanup`) and releases everything. Idempotent. */
  close(): Promise<void>;
}

/**
 * Imports the loader, an optional peer dependency: only this entry needs it, so plugin code that
 * imports `@agentplug/sdk` does not install it.
 * @throws PluginError PACKAGE_MISSING when `@agentplug/loader` is not installed
 */
async function importLoader(): Promise<typeof import('@agentplug/loader')> {
  try {
    return await import('@agentplug/loader');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const missing =
      (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
      String((error as Error).message).includes('@agentplug/loader');
    if (!missing) throw error;
    throw new PluginError(
      'PACKAGE_MISSING',
      '@agentplug/sdk/testing runs plugins in @agentplug/loader, which is not installed: npm install --save-dev @agentplug/loader',
      { cause: error, details: { package: '@agentplug/loader' } },
    );
  }
}

function toPath(pluginPath: string | URL): string {
  return resolve(typeof pluginPath === 'string' ? pluginPath : fileURLToPath(pluginPath));
}

/**
 * Loads one plugin folder in the real `@agentplug/loader`, applies the config, runs the lifecycle
 * hooks and lets the test invoke capabilities, so a plugin is tested the way hosts run it.
 *
 * @throws PluginError PACKAGE_MISSING when `@agentplug/loader` (an optional peer dependency of the
 * sdk, needed by this entry only) is not installed, MANIFEST_NOT_FOUND or MANIFEST_INVALID for a bad
 * plugin.json, and the loader's codes (LOAD_FAILED, CONFIG_INVALID, HOOK_FAILED, VALIDATION_FAILED, ...) when it cannot load
 * @example
 * const host = await createTestHost({ pluginPath: new URL('..', import.meta.url), config: { greeting: 'Hi' } });
 * try { assert.equal(await host.invoke('greet', { name: 'Ada' }), 'Hi, Ada!'); } finally { await host.close(); }
 */
export async function createTestHost(options: CreateTestHostOptions): Promise<TestHost> {
  const pluginPath = await realpath(toPath(options.pluginPath)).catch((error: unknown) => {
    throw new PluginError(
      'MANIFEST_NOT_FOUND',
      `plugin folder ${toPath(options.pluginPath)} does not exist`,
      {
        cause: error,
      },
    );
  });
  const { manifest } = await readManifest(pluginPath);
  const pluginId = manifest.plugin_id;

  // The loader scans a directory of plugin folders: the parent, so the plugin keeps its real path
  // and resolves its dependencies as in production. Problems in sibling folders do not matter.
  const loaderModule = await importLoader();
  const loader = new loaderModule.PluginLoader({
    pluginDirectory: dirname(pluginPath),
    validator: options.validator,
    enableAutoLoad: false,
  });

  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await loader.close();
  };

  try {
    const discovered = await loader.discoverPlugins();
    const match = discovered.find((metadata) => metadata.plugin_id === pluginId);
    if (match === undefined) {
      const problem = loader.getDiscoveryProblems().find((entry) => entry.path === pluginPath);
      throw (
        problem?.error ??
        new PluginError('PLUGIN_NOT_FOUND', `${pluginId} was not discovered in ${pluginPath}`)
      );
    }
    await loader.loadPlugin(pluginId, {
      config: options.config === undefined ? undefined : { config: options.config },
      validate: options.validator !== undefined,
      isolation: options.isolation,
    });
    if (options.activate ?? true) await loader.activatePlugin(pluginId);
  } catch (error) {
    await close();
    throw error;
  }

  const currentState = (): PluginState => {
    const state = loader.getPluginState(pluginId);
    if (state === undefined) {
      throw new PluginError('PLUGIN_NOT_FOUND', `${pluginId} is no longer loaded in this test host`);
    }
    return state;
  };

  return {
    pluginId,
    loader,
    get state() {
      return currentState();
    },
    get status() {
      return currentState().status;
    },
    invoke: (capability, params = {}) => loader.invoke(pluginId, capability, params),
    activate: async () => {
      await loader.activatePlugin(pluginId);
    },
    deactivate: async () => {
      await loader.deactivatePlugin(pluginId);
    },
    reload: async () => {
      await loader.reloadPlugin(pluginId, { validate: options.validator !== undefined });
    },
    close,
  };
}
