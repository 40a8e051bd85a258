import type { SourceAnalysis } from '../scan/scan-result';
import type { ParseMode } from '../scan/scan-source';

/** A file to scan, sent to the scan worker. */
export interface ScanRequest {
  id: number;
  code: string;
  filename: string;
  mode: ParseMode;
}

/** The worker's answer: the analysis, or why it could not make one. */
export type ScanReply = { id: number; analysis: SourceAnalysis } | { id: number; failure: string };
