import type { SourceAnalysis } from '../scan/scan-result';
import type { ParseMode } from '../scan/scan-source';
import type { ValidationIssue } from '../validate/validation-issue';

/**
 * Work sent to the scan worker: scan a file, or check that an entry module implements the
 * capabilities plugin.json declares (both parse untrusted code, so neither runs in the host).
 */
export type ScanRequest =
  | { id: number; task: 'scan'; code: string; filename: string; mode: ParseMode }
  | { id: number; task: 'capabilities'; code: string; filename: string; declared: string[] };

/** The worker's answer: the result of the task, or why there is none. */
export type ScanReply =
  | { id: number; analysis: SourceAnalysis }
  | { id: number; issues: ValidationIssue[] }
  | { id: number; failure: string };
