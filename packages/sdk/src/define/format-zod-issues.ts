import { formatJsonPath } from '@agentplug/models';
import type { z } from 'zod';

/** One problem found by a zod schema, in the plain shape PluginError details carry. */
export interface ZodIssueSummary {
  path: string;
  message: string;
}

/** Turns zod issues into plain `{ path, message }` records, so zod types never leak into errors. */
export function summarizeZodIssues(issues: readonly z.core.$ZodIssue[]): ZodIssueSummary[] {
  return issues.map((issue) => ({ path: formatJsonPath(issue.path), message: issue.message }));
}

/** One line listing every issue as `path: message`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return summarizeZodIssues(issues)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}
