/** One problem the validator found, with a stable code and where it is. */
export interface ValidationIssue {
  /** Stable code, documented in the README (manifest issue codes pass through from @agentplug/models). */
  code: string;
  severity: 'error' | 'warning';
  message: string;
  /** File relative to the plugin folder, with forward slashes. */
  file?: string;
  line?: number;
  column?: number;
  /** JSON path inside plugin.json, for manifest issues. */
  path?: string;
}

/** One line for an issue: `file:line:column: message (CODE)` or `plugin.json $.path: message (CODE)`. */
export function formatIssue(issue: ValidationIssue): string {
  let location = '';
  if (issue.file !== undefined) {
    location = issue.file;
    if (issue.line !== undefined) location += `:${issue.line}:${issue.column ?? 1}`;
    if (issue.path !== undefined) location += ` ${issue.path}`;
  } else if (issue.path !== undefined) {
    location = `plugin.json ${issue.path}`;
  }
  return `${location ? `${location}: ` : ''}${issue.message} (${issue.code})`;
}
