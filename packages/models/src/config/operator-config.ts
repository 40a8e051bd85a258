import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatReasons } from '../errors/format-reasons';
import { PluginError } from '../errors/plugin-error';
import { parseUntrustedJson } from '../json/parse-untrusted-json';
import { listIssues } from '../manifest/issues';
import { safeParseConfig } from '../manifest/parse-config';
import { isValidPluginId } from '../schemas/rules';
import type { OperatorConfigLayer, PluginConfigOverride } from './resolve-plugin-config';

/**
 * The folder, inside a plugin directory and beside its lock file, where the operator's configuration
 * of each plugin lives (`<id>.json`, a config.json document). Plugin folders are replaced on update;
 * this folder never is. The name has no dot, so it is never a plugin id.
 */
export const OPERATOR_CONFIG_FOLDER_NAME = 'agentplug-config';

/** Largest operator configuration file read (1 MiB). */
const MAX_OPERATOR_CONFIG_BYTES = 1024 * 1024;

/**
 * Where the operator's configuration of a plugin lives: `<pluginDirectory>/agentplug-config/<id>.json`,
 * or `<operatorConfigDirectory>/<id>.json` when the host keeps it elsewhere.
 * @throws PluginError INVALID_ARGUMENT when `pluginId` is not a plugin id (it becomes a file name)
 */
export function getOperatorConfigPath(
  pluginId: string,
  where: { pluginDirectory: string } | { operatorConfigDirectory: string },
): string {
  if (typeof pluginId !== 'string' || !isValidPluginId(pluginId)) {
    throw new PluginError('INVALID_ARGUMENT', `"${String(pluginId)}" is not a reverse-DNS plugin id`, {
      details: { pluginId },
    });
  }
  const folder =
    'operatorConfigDirectory' in where
      ? where.operatorConfigDirectory
      : join(where.pluginDirectory, OPERATOR_CONFIG_FOLDER_NAME);
  return join(folder, `${pluginId}.json`);
}

/**
 * Reads the operator's configuration file of a plugin, or undefined when there is none. The file is
 * untrusted JSON (null-prototype objects, 1 MiB cap); its shape is checked as config.json's, its
 * `plugin_id` (optional) must name the plugin. Keys config.json does not have are refused later,
 * by `resolvePluginConfig`, which knows the plugin's settings and can say what was meant.
 * @throws PluginError CONFIG_INVALID (not JSON, not an object, wrong types, another plugin's id)
 */
export async function readOperatorConfig(
  path: string,
  pluginId: string,
): Promise<OperatorConfigLayer | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PluginError('CONFIG_INVALID', `the operator configuration ${path} cannot be read`, {
      cause: error,
      details: { pluginId, path },
    });
  }
  const document = parseUntrustedJson(bytes, {
    code: 'CONFIG_INVALID',
    what: `the operator configuration ${path}`,
    maxBytes: MAX_OPERATOR_CONFIG_BYTES,
  });
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new PluginError('CONFIG_INVALID', `the operator configuration ${path} must hold a JSON object`, {
      details: { pluginId, path },
    });
  }
  const written = document as Record<string, unknown>;
  if (written.plugin_id !== undefined && written.plugin_id !== pluginId) {
    throw new PluginError(
      'CONFIG_INVALID',
      `the operator configuration ${path} is for ${String(written.plugin_id)}, not ${pluginId}`,
      { details: { pluginId, path, issues: [{ path: '$.plugin_id', message: `must be ${pluginId}` }] } },
    );
  }
  const parsed = safeParseConfig({ ...written, plugin_id: pluginId });
  if (!parsed.success) {
    throw new PluginError('CONFIG_INVALID', formatReasons(`${path} is invalid`, listIssues(parsed.issues)), {
      details: { pluginId, path, issues: parsed.issues },
    });
  }
  // Only what the operator wrote: defaults come from the plugin, so a new version's defaults apply.
  return { path, document: structuredClone(written) as PluginConfigOverride };
}
