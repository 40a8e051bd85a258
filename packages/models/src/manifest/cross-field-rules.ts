import { formatJsonPath, type ManifestIssue } from './issues';

function entries(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.map((entry) =>
        entry !== null && typeof entry === 'object' ? (entry as Record<string, unknown>) : {},
      )
    : [];
}

/** Rules that span fields: unique capability names, no self-dependency, no duplicate dependency. */
export function checkCrossFieldRules(manifest: Record<string, unknown>): ManifestIssue[] {
  const issues: ManifestIssue[] = [];
  const seenCapabilities = new Map<string, number>();
  entries(manifest.capabilities).forEach((capability, index) => {
    if (typeof capability.name !== 'string') return;
    const first = seenCapabilities.get(capability.name);
    if (first === undefined) {
      seenCapabilities.set(capability.name, index);
      return;
    }
    issues.push({
      code: 'DUPLICATE_CAPABILITY',
      path: formatJsonPath(['capabilities', index, 'name']),
      message: `capability "${capability.name}" is already declared at capabilities[${first}]`,
      severity: 'error',
    });
  });

  const seenDependencies = new Map<string, number>();
  entries(manifest.dependencies).forEach((dependency, index) => {
    if (typeof dependency.plugin_id !== 'string') return;
    const path = formatJsonPath(['dependencies', index, 'plugin_id']);
    if (dependency.plugin_id === manifest.plugin_id) {
      issues.push({
        code: 'SELF_DEPENDENCY',
        path,
        message: 'a plugin cannot depend on itself',
        severity: 'error',
      });
    }
    const first = seenDependencies.get(dependency.plugin_id);
    if (first === undefined) {
      seenDependencies.set(dependency.plugin_id, index);
    } else {
      issues.push({
        code: 'DUPLICATE_DEPENDENCY',
        path,
        message: `"${dependency.plugin_id}" is already listed at dependencies[${first}]; merge the constraints into one entry`,
        severity: 'error',
      });
    }
  });
  return issues;
}
