import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  PluginError,
  type PluginMetadata,
  type PluginValidationResult,
  type PluginValidatorLike,
  type RiskLevel,
  readManifest,
  riskLevelForScore,
} from '@agentplug/models';
import { type ExtractionLimits, extractArchive } from '@agentplug/registry-client';

/** What the marketplace learns from an uploaded or collected archive. */
export interface ArchiveInspection {
  manifest: PluginMetadata;
  sha256: string;
  size: number;
  /** The validator's report, when a validator ran. */
  validation: PluginValidationResult | undefined;
  securityScore: number;
  riskLevel: RiskLevel;
}

/** Options for {@link inspectArchive}. */
export interface InspectArchiveOptions {
  validator?: PluginValidatorLike;
  extractionLimits?: ExtractionLimits;
}

/**
 * Extracts an archive safely into a temporary folder, reads its plugin.json, runs the validator, and
 * computes its sha256. The temporary folder is always removed.
 * @throws PluginError ARCHIVE_UNSAFE, TOO_LARGE, MANIFEST_NOT_FOUND, MANIFEST_INVALID, VALIDATION_FAILED
 */
export async function inspectArchive(
  archive: Buffer,
  options: InspectArchiveOptions = {},
): Promise<ArchiveInspection> {
  const parent = await mkdtemp(join(tmpdir(), 'agentplug-inspect-'));
  const folder = join(parent, randomBytes(4).toString('hex'));
  try {
    await extractArchive(archive, folder, options.extractionLimits);
    const { manifest } = await readManifest(folder);
    let validation: PluginValidationResult | undefined;
    if (options.validator !== undefined) {
      try {
        validation = await options.validator.validatePlugin(folder, manifest);
      } catch (error) {
        if (PluginError.is(error)) throw error;
        throw new PluginError('VALIDATION_FAILED', `the validator failed on ${manifest.plugin_id}`, {
          cause: error,
        });
      }
    }
    const securityScore = validation?.securityScore ?? 100;
    return {
      manifest,
      sha256: createHash('sha256').update(archive).digest('hex'),
      size: archive.length,
      validation,
      securityScore,
      riskLevel: validation?.riskLevel ?? riskLevelForScore(securityScore),
    };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
