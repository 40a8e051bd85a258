import {
  type FindingCapability,
  type PluginPermissions,
  type RiskLevel,
  riskLevelForScore,
  type ScoreDeduction,
} from '@agentplug/models';
import type { CapabilityUse } from '../scan/scan-result';

/** A factor of the security score: what it is about and how many points it costs. */
export interface ScoreFactor {
  factor: string;
  points: number;
  description: string;
}

/** The seed's score factors, each deducted at most once. */
export const SCORE_FACTORS: readonly ScoreFactor[] = [
  {
    factor: 'dangerous_imports',
    points: 30,
    description: 'shell, eval or native code, or code loaded by a name that cannot be resolved',
  },
  { factor: 'network', points: 10, description: 'network use detected, or network_hosts declared' },
  {
    factor: 'filesystem_write',
    points: 15,
    description: 'file system writes detected, or filesystem_write declared',
  },
  {
    factor: 'environment_variables',
    points: 5,
    description: 'process.env reads detected, or environment_variables declared',
  },
  { factor: 'external_apis', points: 10, description: 'external_apis declared' },
];

/** The score, its risk band and why. */
export interface SecurityScore {
  securityScore: number;
  riskLevel: RiskLevel;
  scoreBreakdown: ScoreDeduction[];
}

/** Inputs of {@link computeSecurityScore}. */
export interface ComputeSecurityScoreOptions {
  uses: readonly Pick<CapabilityUse, 'finding'>[];
  permissions: PluginPermissions | undefined;
}

const FACTOR_CAPABILITIES: Readonly<Record<string, readonly FindingCapability[]>> = {
  dangerous_imports: ['shell', 'eval', 'native', 'dynamic'],
  network: ['network'],
  filesystem_write: ['filesystem_write'],
  environment_variables: ['env'],
  external_apis: [],
};

const DECLARED_KEYS: Readonly<Record<string, keyof PluginPermissions | undefined>> = {
  dangerous_imports: undefined,
  network: 'network_hosts',
  filesystem_write: 'filesystem_write',
  environment_variables: 'environment_variables',
  external_apis: 'external_apis',
};

const MAX_EVIDENCE = 10;

/**
 * Starts at 100 and deducts each of the seed's factors once when it is declared or detected,
 * clamps to 0..100 and maps to the seed's risk bands. Each deduction lists its evidence.
 *
 * @example
 * const { securityScore, riskLevel } = computeSecurityScore({ uses: [], permissions: manifest.permissions });
 */
export function computeSecurityScore(options: ComputeSecurityScoreOptions): SecurityScore {
  const scoreBreakdown: ScoreDeduction[] = [];
  let score = 100;
  for (const { factor, points } of SCORE_FACTORS) {
    const evidence: string[] = [];
    const declaredKey = DECLARED_KEYS[factor];
    const declared =
      declaredKey === undefined ? [] : (options.permissions?.[declaredKey] as string[] | undefined);
    if (declared !== undefined && declared.length > 0) {
      evidence.push(`declared permissions.${declaredKey}: ${declared.join(', ')}`);
    }
    const capabilities = FACTOR_CAPABILITIES[factor] ?? [];
    const detected = options.uses.filter((use) => capabilities.includes(use.finding.capability));
    for (const use of detected.slice(0, MAX_EVIDENCE)) {
      const { file, line, column, code, message } = use.finding;
      evidence.push(`${file}:${line}:${column} ${code}: ${message}`);
    }
    if (detected.length > MAX_EVIDENCE) evidence.push(`... and ${detected.length - MAX_EVIDENCE} more`);
    if (evidence.length === 0) continue;
    score -= points;
    scoreBreakdown.push({ factor, points: -points, evidence });
  }
  const securityScore = Math.max(0, Math.min(100, score));
  return { securityScore, riskLevel: riskLevelForScore(securityScore), scoreBreakdown };
}
