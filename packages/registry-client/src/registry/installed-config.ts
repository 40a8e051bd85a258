import { join } from 'node:path';
import {
  type PluginConfigOverride,
  PluginError,
  type PluginMetadata,
  readConfig,
  readOperatorConfig,
  resolvePluginConfig,
} from '@agentplug/models';
import type { PluginDirectory } from './plugin-directory';
import type { InstalledConfig } from './registry-options';
import { writeOperatorConfigFile } from './write-operator-config';

async function readInstalled(directory: PluginDirectory, pluginId: string): Promise<PluginMetadata> {
  const manifest = await directory.readInstalledManifest(pluginId);
  if (manifest === undefined) {
    throw new PluginError('PLUGIN_NOT_FOUND', `${pluginId} is not installed in ${directory.path}`, {
      details: { pluginId },
    });
  }
  return manifest;
}

/**
 * The configuration an installed plugin runs with, as the loader resolves it (config_schema
 * defaults, its shipped config.json, the operator's file at `operatorConfigPath`).
 * @throws PluginError PLUGIN_NOT_FOUND, CONFIG_INVALID
 */
export async function readInstalledConfig(
  directory: PluginDirectory,
  pluginId: string,
  operatorConfigPath: string,
): Promise<InstalledConfig> {
  const manifest = await readInstalled(directory, pluginId);
  await directory.ensureRecovered();
  const [shipped, layer] = await Promise.all([
    readConfig(join(directory.path, pluginId)),
    readOperatorConfig(operatorConfigPath, pluginId),
  ]);
  const effective = resolvePluginConfig({ metadata: manifest, fileConfig: shipped, operatorConfig: layer });
  return { pluginId, version: manifest.version, operatorConfigPath, operator: layer?.document, effective };
}

/**
 * Replaces the operator's configuration of an installed plugin (`undefined` removes it) after
 * checking it against the installed version's config_schema; nothing changes when it is refused.
 * @throws PluginError PLUGIN_NOT_FOUND, CONFIG_INVALID
 */
export async function writeInstalledConfig(
  directory: PluginDirectory,
  pluginId: string,
  operatorConfigPath: string,
  document: PluginConfigOverride | undefined,
): Promise<InstalledConfig> {
  const manifest = await readInstalled(directory, pluginId);
  const shipped = await readConfig(join(directory.path, pluginId));
  const effective = resolvePluginConfig({
    metadata: manifest,
    fileConfig: shipped,
    operatorConfig: document === undefined ? undefined : { path: operatorConfigPath, document },
  });
  await writeOperatorConfigFile(operatorConfigPath, document);
  return { pluginId, version: manifest.version, operatorConfigPath, operator: document, effective };
}
