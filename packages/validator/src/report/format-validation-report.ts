import type { PluginValidationResult } from '@agentplug/models';

/**
 * Renders a validation result as readable text: the verdict, the score and why, then errors,
 * warnings and findings.
 *
 * @example
 * console.log(formatValidationReport(await validator.validatePlugin('./my-plugin')));
 */
export function formatValidationReport(result: PluginValidationResult): string {
  const lines: string[] = [];
  lines.push(
    `${result.valid ? 'VALID' : 'INVALID'}: security score ${result.securityScore}/100, risk ${result.riskLevel}`,
  );
  if (result.scoreBreakdown.length > 0) {
    lines.push('', 'Score:');
    for (const deduction of result.scoreBreakdown) {
      lines.push(`  ${deduction.points} ${deduction.factor}`);
      for (const evidence of deduction.evidence) lines.push(`      ${evidence}`);
    }
  }
  const section = (title: string, items: readonly string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title} (${items.length}):`);
    for (const item of items) lines.push(`  - ${item}`);
  };
  section('Errors', result.errors);
  section('Warnings', result.warnings);
  section(
    'Findings',
    result.findings.map(
      (finding) =>
        `${finding.file}:${finding.line}:${finding.column} [${finding.severity}] ${finding.capability} ${finding.code}: ${finding.message}`,
    ),
  );
  return lines.join('\n');
}
