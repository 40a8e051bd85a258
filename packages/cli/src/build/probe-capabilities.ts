import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { MANIFEST_FILE_NAME, PluginError } from '@agentplug/models';

/** One finding of {@link probeCapabilities}, shaped as the validator's issues. */
export interface ProbeIssue {
  code: 'CAPABILITY_NOT_IMPLEMENTED' | 'PROBE_LOAD_FAILED';
  severity: 'error' | 'warning';
  message: string;
}

/**
 * Loads a plugin the way a host does, in a worker sandbox, but with no permissions at all, and
 * reports each capability plugin.json declares that the loaded instance lacks. This answers what
 * the code does not say plainly enough for a static check (a bundle, a factory building its
 * methods). `copyPath` must be a throwaway copy: its plugin.json is rewritten without permissions.
 * A plugin that cannot load that way is reported as a warning, not a verdict on its capabilities.
 */
export async function probeCapabilities(copyPath: string): Promise<ProbeIssue[]> {
  const manifestPath = join(copyPath, MANIFEST_FILE_NAME);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, unknown>;
  const pluginId = String(manifest.plugin_id);
  const declared = Array.isArray(manifest.capabilities)
    ? manifest.capabilities
        .map((capability) => (capability as { name?: unknown }).name)
        .filter((name): name is string => typeof name === 'string')
    : [];
  if (declared.length === 0) return [];
  const { permissions: _permissions, dependencies: _dependencies, ...withoutPermissions } = manifest;
  await writeFile(manifestPath, JSON.stringify({ ...withoutPermissions, permissions: {} }));
  const { PluginLoader } = await import('@agentplug/loader');
  const loader = new PluginLoader({ pluginDirectory: dirname(copyPath), enableAutoLoad: false });
  try {
    await loader.discoverPlugins();
    await loader.loadPlugin(pluginId, { validate: false, isolation: 'worker' });
    const instance = loader.getPluginState(pluginId)?.instance as object | undefined;
    return declared
      .filter((name) => instance === undefined || !(name in instance))
      .map((name) => ({
        code: 'CAPABILITY_NOT_IMPLEMENTED',
        severity: 'error',
        message: `capability "${name}" is declared in plugin.json but the loaded plugin has no method "${name}"`,
      }));
  } catch (error) {
    const reason = PluginError.is(error) ? `${error.message} [${error.code}]` : String(error);
    return [
      {
        code: 'PROBE_LOAD_FAILED',
        severity: 'warning',
        message: `could not load the plugin in a sandbox with no permissions to check its capabilities: ${reason.split('\n')[0]}`,
      },
    ];
  } finally {
    await loader.close();
  }
}
