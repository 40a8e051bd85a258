import type { ValidatePluginResult } from '@agentplug/validator';
import { withShippedCopy } from '../program/stage-plugin-folder';
import { probeCapabilities } from './probe-capabilities';

/**
 * Validates exactly what ships: the validator on a copy of the listed files, then, when it finds
 * the plugin valid, a load of that copy in a worker sandbox with no permissions to check that
 * every declared capability exists (what the code does not say plainly enough for the validator).
 */
export async function validateShipped(
  pluginPath: string,
  files: readonly { path: string }[],
): Promise<ValidatePluginResult> {
  // The validator (and babel) load only when a command needs them, so --help stays fast.
  const { PluginValidator } = await import('@agentplug/validator');
  return withShippedCopy(pluginPath, files, async (copyPath) => {
    const result = await new PluginValidator().validatePlugin(copyPath);
    if (!result.valid) return result;
    const found = await probeCapabilities(copyPath);
    if (found.length === 0) return result;
    const issues = [...result.issues, ...found];
    const errors = found.filter((issue) => issue.severity === 'error');
    const warnings = found.filter((issue) => issue.severity === 'warning');
    return {
      ...result,
      valid: errors.length === 0,
      issues,
      errors: [...result.errors, ...errors.map((issue) => `${issue.message} (${issue.code})`)],
      warnings: [...result.warnings, ...warnings.map((issue) => `${issue.message} (${issue.code})`)],
    };
  });
}
