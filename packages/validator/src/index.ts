export { formatValidationReport } from './report/format-validation-report';
export {
  type SarifLog,
  type SarifResult,
  type SarifRun,
  type ToSarifOptions,
  toSarif,
} from './report/to-sarif';
export { type FindingCode, type FindingCodeInfo, FindingCodes } from './scan/finding-codes';
export { isScannedFile, SCANNED_EXTENSIONS } from './scan/parse-source';
export { type ScanSourceOptions, scanSource } from './scan/scan-source';
export { listEntryCandidates } from './validate/check-structure';
export {
  type ComputeSecurityScoreOptions,
  computeSecurityScore,
  SCORE_FACTORS,
  type ScoreFactor,
  type SecurityScore,
} from './validate/compute-security-score';
export { PluginValidator, type ValidatePluginResult } from './validate/plugin-validator';
export {
  DEFAULT_ALLOWED_EXTENSIONS,
  type ResolvedSecurityConfig,
  resolveSecurityConfig,
  type SecurityConfig,
} from './validate/security-config';
export { formatIssue, type ValidationIssue } from './validate/validation-issue';
