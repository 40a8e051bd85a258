import { isRiskAbove, PluginError, type RiskLevel } from '@agentplug/models';
import type { ArchiveInspection } from './inspect-archive';

/** What the marketplace accepts: the worst risk level, and optionally a lowest security score. */
export interface RiskPolicy {
  /** Archives whose risk level is worse are refused. Default `high` (only `critical` is refused). */
  maxRiskLevel?: RiskLevel;
  /** Archives scoring lower are refused. */
  minSecurityScore?: number;
}

/**
 * Refuses an inspected archive that failed validation or is riskier than the policy allows.
 * @throws PluginError VALIDATION_FAILED, with the validator's report in `details.validation`
 */
export function enforceRiskPolicy(inspection: ArchiveInspection, policy: RiskPolicy): void {
  const { manifest, validation } = inspection;
  const label = `${manifest.plugin_id} ${manifest.version}`;
  const details = { pluginId: manifest.plugin_id, version: manifest.version, validation };
  if (validation !== undefined && !validation.valid) {
    throw new PluginError(
      'VALIDATION_FAILED',
      `${label} failed validation: ${validation.errors.join('; ')}`,
      { details },
    );
  }
  const maxRiskLevel = policy.maxRiskLevel ?? 'high';
  if (isRiskAbove(inspection.riskLevel, maxRiskLevel)) {
    throw new PluginError(
      'VALIDATION_FAILED',
      `${label} has risk level ${inspection.riskLevel} (score ${inspection.securityScore}); this marketplace accepts up to ${maxRiskLevel}`,
      { details },
    );
  }
  if (policy.minSecurityScore !== undefined && inspection.securityScore < policy.minSecurityScore) {
    throw new PluginError(
      'VALIDATION_FAILED',
      `${label} scores ${inspection.securityScore}; this marketplace requires at least ${policy.minSecurityScore}`,
      { details },
    );
  }
}
