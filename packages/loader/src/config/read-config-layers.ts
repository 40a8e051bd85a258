import { dirname } from 'node:path';
import {
  getOperatorConfigPath,
  type OperatorConfigLayer,
  type PluginConfig,
  readConfig,
  readOperatorConfig,
} from '@agentplug/models';

/** Where the loader looks for operator configuration: see `PluginLoaderOptions.operatorConfigDirectory`. */
export type OperatorConfigLocation = string | false | undefined;

/** The configuration files of one plugin: its shipped config.json and the operator's file. */
export interface ConfigLayers {
  fileConfig: PluginConfig | undefined;
  operatorConfig: OperatorConfigLayer | undefined;
}

/**
 * The operator configuration file of a plugin, or undefined when the loader reads none: by default
 * `agentplug-config/<id>.json` beside the plugin's folder (where `PluginRegistry` keeps it, beside
 * the lock file), else `<location>/<id>.json`.
 */
export function locateOperatorConfig(
  pluginId: string,
  pluginPath: string,
  location: OperatorConfigLocation,
): string | undefined {
  if (location === false) return undefined;
  return location === undefined
    ? getOperatorConfigPath(pluginId, { pluginDirectory: dirname(pluginPath) })
    : getOperatorConfigPath(pluginId, { operatorConfigDirectory: location });
}

/**
 * Reads a plugin's shipped config.json and the operator's configuration file.
 * @throws PluginError CONFIG_INVALID, MANIFEST_TOO_LARGE, MANIFEST_UNREADABLE
 */
export async function readConfigLayers(
  pluginId: string,
  pluginPath: string,
  location: OperatorConfigLocation,
): Promise<ConfigLayers> {
  const operatorPath = locateOperatorConfig(pluginId, pluginPath, location);
  const [fileConfig, operatorConfig] = await Promise.all([
    readConfig(pluginPath),
    operatorPath === undefined ? undefined : readOperatorConfig(operatorPath, pluginId),
  ]);
  return { fileConfig, operatorConfig };
}
