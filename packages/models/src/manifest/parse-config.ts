import { formatReasons } from '../errors/format-reasons';
import { PluginError } from '../errors/plugin-error';
import { CONFIG_KEYS, type PluginConfig, PluginConfigSchema } from '../schemas/plugin-config';
import { findUnknownKeys, listIssues, type ManifestIssue, toManifestIssue } from './issues';
import type { SafeParseResult } from './parse-manifest';

/** Checks a config.json document and returns it with defaults filled, or every issue with its path. */
export function safeParseConfig(input: unknown): SafeParseResult<PluginConfig> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    const issue: ManifestIssue = {
      code: 'NOT_AN_OBJECT',
      path: '$',
      message: 'config.json must be a JSON object',
      severity: 'error',
    };
    return { success: false, issues: [issue], warnings: [] };
  }
  const warnings = findUnknownKeys(input, CONFIG_KEYS, []);
  const parsed = PluginConfigSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    return {
      success: false,
      issues: parsed.error.issues.map((issue) => toManifestIssue(issue, input)),
      warnings,
    };
  }
  return { success: true, value: parsed.data, warnings };
}

/**
 * Parses a config.json document.
 * @throws PluginError CONFIG_INVALID, with `details.issues`
 */
export function parseConfig(input: unknown): PluginConfig {
  const result = safeParseConfig(input);
  if (!result.success) {
    throw new PluginError(
      'CONFIG_INVALID',
      formatReasons('config.json is invalid', listIssues(result.issues)),
      {
        details: { issues: result.issues, warnings: result.warnings },
      },
    );
  }
  return result.value;
}

/** The default configuration of a plugin that has no config.json. */
export function createDefaultConfig(pluginId: string): PluginConfig {
  return parseConfig({ plugin_id: pluginId });
}
