export { formatValidationReport } from './report/format-validation-report';
export {
  type SarifLog,
  type SarifResult,
  type SarifRun,
  type ToSarifOptions,
  toSarif,
} from './report/to-sarif';
export { PluginValidator, type ValidatePluginResult } from './validate/plugin-validator';
export type { ResolvedSecurityConfig, SecurityConfig } from './validate/security-config';
export type { ValidationIssue } from './validate/validation-issue';
