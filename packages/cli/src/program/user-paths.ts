import { isAbsolute, join, relative } from 'node:path';
import type { PluginValidationResult } from '@agentplug/models';

/**
 * A plugin file as the user would type it from where they ran the command: relative to the
 * current folder when it is inside it (`plugins/x/main.js`), else absolute.
 */
export function formatUserPath(pluginPath: string, file: string, cwd: string = process.cwd()): string {
  const absolute = join(pluginPath, file);
  const fromHere = relative(cwd, absolute);
  return fromHere === '' || fromHere.startsWith('..') || isAbsolute(fromHere) ? absolute : fromHere;
}

// A validator message starts with the plugin-relative file it is about: `main.js:1:26: ...`,
// `plugin.json $.entry_point: ...`, `lib/util.mjs: ...`.
const LEADING_FILE = /^([\w@][\w@.+-]*(?:\/[\w@.+-]+)*\.[A-Za-z0-9]+)(?=[: ])/;

/** One validator message with its leading plugin-relative file made the user's own path. */
export function withUserPath(message: string, pluginPath: string, cwd?: string): string {
  return message.replace(LEADING_FILE, (file) => formatUserPath(pluginPath, file, cwd));
}

/**
 * A validation result whose file references name the user's files (see {@link formatUserPath}),
 * for the human-readable report; `--json` and `--sarif` keep plugin-relative paths.
 */
export function withUserPaths(
  result: PluginValidationResult,
  pluginPath: string,
  cwd?: string,
): PluginValidationResult {
  const rewrite = (message: string) => withUserPath(message, pluginPath, cwd);
  return {
    ...result,
    errors: result.errors.map(rewrite),
    warnings: result.warnings.map(rewrite),
    findings: result.findings.map((finding) => ({
      ...finding,
      file: formatUserPath(pluginPath, finding.file, cwd),
    })),
    scoreBreakdown: result.scoreBreakdown.map((deduction) => ({
      ...deduction,
      evidence: deduction.evidence.map(rewrite),
    })),
  };
}
