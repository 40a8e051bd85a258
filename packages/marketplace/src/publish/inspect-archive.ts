import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, readdir, rm } from 'node:fs/promises';
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
  /** The archive's top-level README (README.md, README.markdown or README), cut at {@link MAX_README_BYTES}. */
  readme: string | undefined;
}

/** The largest part of a README the marketplace keeps: a catalog page shows it, nothing runs it. */
export const MAX_README_BYTES: number = 128 * 1024;

const README_NAMES = ['readme.md', 'readme.markdown', 'readme'];

// The extractor admits only regular files and folders, so the README is a plain file; still, only
// its first MAX_README_BYTES are read, whatever its size.
async function readReadme(folder: string): Promise<string | undefined> {
  const names = await readdir(folder);
  for (const wanted of README_NAMES) {
    const name = names.find((candidate) => candidate.toLowerCase() === wanted);
    if (name === undefined) continue;
    const handle = await open(join(folder, name), 'r');
    try {
      const buffer = Buffer.alloc(MAX_README_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, MAX_README_BYTES, 0);
      return buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await handle.close();
    }
  }
  return undefined;
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
    const readme = await readReadme(folder);
    return {
      manifest,
      sha256: createHash('sha256').update(archive).digest('hex'),
      size: archive.length,
      validation,
      securityScore,
      riskLevel: validation?.riskLevel ?? riskLevelForScore(securityScore),
      readme,
    };
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}
