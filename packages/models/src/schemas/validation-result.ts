import { z } from 'zod';

/** Risk bands of the seed: 80-100 low, 60-79 medium, 40-59 high, 0-39 critical. */
export type RiskLevel = 'low' | 'medium' | 'high' | 'critical';

/** The risk levels from best to worst. */
export const RISK_LEVELS: readonly RiskLevel[] = ['low', 'medium', 'high', 'critical'];

/** Schema of {@link RiskLevel}. */
export const RiskLevelSchema: z.ZodType<RiskLevel, RiskLevel> = z.enum(['low', 'medium', 'high', 'critical']);

/**
 * Whether `level` is worse than `threshold`: `isRiskAbove('critical', 'high')` is true,
 * `isRiskAbove('high', 'high')` is false.
 */
export function isRiskAbove(level: RiskLevel, threshold: RiskLevel): boolean {
  return RISK_LEVELS.indexOf(level) > RISK_LEVELS.indexOf(threshold);
}

/** What a finding is about: the capability taxonomy of DESIGN.md, plus `dynamic` for what folding could not resolve. */
export type FindingCapability =
  | 'shell'
  | 'eval'
  | 'network'
  | 'filesystem_read'
  | 'filesystem_write'
  | 'env'
  | 'native'
  | 'dynamic';

/** Schema of {@link FindingCapability}. */
export const FindingCapabilitySchema: z.ZodType<FindingCapability> = z.enum([
  'shell',
  'eval',
  'network',
  'filesystem_read',
  'filesystem_write',
  'env',
  'native',
  'dynamic',
]);

/** How serious a finding is. */
export type FindingSeverity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** One thing the code scan saw, with where. */
export interface Finding {
  code: string;
  capability: FindingCapability;
  severity: FindingSeverity;
  /** Path relative to the plugin folder, with forward slashes. */
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Schema of {@link Finding}. */
export const FindingSchema: z.ZodType<Finding> = z.object({
  code: z.string(),
  capability: FindingCapabilitySchema,
  severity: z.enum(['info', 'low', 'medium', 'high', 'critical']),
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  message: z.string(),
});

/** One deduction from the security score and the evidence for it. */
export interface ScoreDeduction {
  factor: string;
  points: number;
  evidence: string[];
}

/** The validator's verdict on a plugin. */
export interface PluginValidationResult {
  valid: boolean;
  errors: string[];
  warnings: string[];
  /** 0 to 100, higher is safer. */
  securityScore: number;
  riskLevel: RiskLevel;
  findings: Finding[];
  scoreBreakdown: ScoreDeduction[];
}

/** Schema of {@link PluginValidationResult}. */
export const PluginValidationResultSchema: z.ZodType<PluginValidationResult> = z.object({
  valid: z.boolean(),
  errors: z.array(z.string()),
  warnings: z.array(z.string()),
  securityScore: z.number().min(0).max(100),
  riskLevel: RiskLevelSchema,
  findings: z.array(FindingSchema),
  scoreBreakdown: z.array(
    z.object({ factor: z.string(), points: z.number(), evidence: z.array(z.string()) }),
  ),
});

/** The seed's risk band for a security score. */
export function riskLevelForScore(score: number): RiskLevel {
  if (score >= 80) return 'low';
  if (score >= 60) return 'medium';
  if (score >= 40) return 'high';
  return 'critical';
}
