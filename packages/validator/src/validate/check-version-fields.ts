import { MANIFEST_FILE_NAME, PluginError, type PluginMetadata } from '@agentplug/models';
import { compareVersions, parseConstraint } from '@agentplug/version';
import type { ValidationIssue } from './validation-issue';

/**
 * Checks what needs the version grammar: every dependency constraint parses, and the runtime
 * bounds form a range that some version can satisfy (min_runtime_version <= max_runtime_version).
 */
export function checkVersionFields(manifest: PluginMetadata): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  manifest.dependencies.forEach((dependency, index) => {
    try {
      parseConstraint(dependency.version_constraint);
    } catch (error) {
      const reason = PluginError.is(error) ? error.message : String(error);
      issues.push({
        code: 'INVALID_CONSTRAINT',
        severity: 'error',
        file: MANIFEST_FILE_NAME,
        path: `$.dependencies[${index}].version_constraint`,
        message: `the constraint on ${dependency.plugin_id} does not parse: ${reason}`,
      });
    }
  });
  const { min_runtime_version: minimum, max_runtime_version: maximum } = manifest;
  if (minimum !== '*' && maximum !== '*') {
    let order: number | undefined;
    try {
      order = compareVersions(minimum, maximum);
    } catch {
      order = undefined;
    }
    if (order !== undefined && order > 0) {
      issues.push({
        code: 'INVALID_RUNTIME_RANGE',
        severity: 'error',
        file: MANIFEST_FILE_NAME,
        path: '$.min_runtime_version',
        message: `min_runtime_version ${minimum} is above max_runtime_version ${maximum}, so no runtime can load the plugin`,
      });
    }
  }
  return issues;
}
