import {
  formatReasons,
  isRiskAbove,
  PluginLoadError,
  type PluginMetadata,
  PluginValidationError,
  type PluginValidationResult,
  type PluginValidatorLike,
  type RiskLevel,
} from '@agentplug/models';
import { describeError } from '../errors/loader-errors';
import { fingerprintFolder } from './fingerprint-folder';

/** Options of a {@link ValidationGate}. */
export interface ValidationGateOptions {
  validator: PluginValidatorLike;
  /** Refuse plugins whose risk level is above this. */
  maxRiskLevel: RiskLevel;
  /** Reuse a verdict while the plugin folder's fingerprint is unchanged. */
  cacheValidation: boolean;
}

interface CachedVerdict {
  fingerprint: string;
  result: PluginValidationResult;
}

/**
 * The check every load and reload passes before any plugin code runs: the validator's verdict
 * must be valid and no riskier than `maxRiskLevel`. A verdict is kept per plugin folder and
 * reused while the folder's files (path, size, modification time) are unchanged.
 */
export class ValidationGate {
  private readonly validator: PluginValidatorLike;
  private readonly maxRiskLevel: RiskLevel;
  private readonly cacheValidation: boolean;
  private readonly verdicts = new Map<string, CachedVerdict>();

  constructor(options: ValidationGateOptions) {
    this.validator = options.validator;
    this.maxRiskLevel = options.maxRiskLevel;
    this.cacheValidation = options.cacheValidation;
  }

  /**
   * Resolves when the plugin may load; rejects otherwise.
   * @throws PluginValidationError VALIDATION_FAILED with the result (invalid, or above the risk threshold)
   * @throws PluginLoadError VALIDATION_FAILED when the validator itself throws
   */
  async check(pluginPath: string, metadata: PluginMetadata): Promise<void> {
    const result = await this.verdictFor(pluginPath, metadata);
    const tooRisky = isRiskAbove(result.riskLevel, this.maxRiskLevel);
    if (result.valid && !tooRisky) return;
    const reasons = result.valid
      ? [
          `risk level ${result.riskLevel} (security score ${result.securityScore}) is above the allowed ${this.maxRiskLevel}`,
        ]
      : result.errors;
    throw new PluginValidationError(
      formatReasons(`${metadata.plugin_id} failed validation`, reasons),
      result,
      { details: { pluginId: metadata.plugin_id, pluginPath } },
    );
  }

  private async verdictFor(pluginPath: string, metadata: PluginMetadata): Promise<PluginValidationResult> {
    let fingerprint: string | undefined;
    if (this.cacheValidation) {
      fingerprint = await fingerprintFolder(pluginPath);
      const cached = this.verdicts.get(pluginPath);
      if (cached?.fingerprint === fingerprint) return cached.result;
    }
    let result: PluginValidationResult;
    try {
      // A validator may answer synchronously (models' PluginValidatorLike allows it): await takes both.
      result = await this.validator.validatePlugin(pluginPath, metadata);
    } catch (error) {
      throw new PluginLoadError(
        metadata.plugin_id,
        `the validator failed on ${metadata.plugin_id}: ${describeError(error)}`,
        { code: 'VALIDATION_FAILED', cause: error },
      );
    }
    if (fingerprint !== undefined) this.verdicts.set(pluginPath, { fingerprint, result });
    return result;
  }
}
