import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MANIFEST_FILE_NAME,
  PluginError,
  type PluginMetadata,
  type PluginValidationResult,
  type PluginValidatorLike,
  parseManifestBytes,
  type RiskLevel,
  riskLevelForScore,
} from '@agentplug/models';
import {
  type ArchiveFile,
  type ExtractionLimits,
  readArchiveFiles,
  writeArchiveFiles,
} from '@agentplug/registry-client';

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

// The top-level README among the archive's files (the extractor admits only regular files and
// folders, so it is plain bytes); only its first MAX_README_BYTES are kept, whatever its size.
function findReadme(files: readonly ArchiveFile[]): string | undefined {
  for (const wanted of README_NAMES) {
    const file = files.find((candidate) => candidate.path.toLowerCase() === wanted);
    if (file !== undefined) return file.data.subarray(0, MAX_README_BYTES).toString('utf8');
  }
  return undefined;
}

// The validator reads a folder: the checked files are written into a fresh temporary one, which
// is always removed.
async function validateFiles(
  files: readonly ArchiveFile[],
  manifest: PluginMetadata,
  validator: PluginValidatorLike,
): Promise<PluginValidationResult> {
  const parent = await mkdtemp(join(tmpdir(), 'agentplug-inspect-'));
  const folder = join(parent, randomBytes(4).toString('hex'));
  try {
    await writeArchiveFiles(files, folder);
    return await validator.validatePlugin(folder, manifest);
  } catch (error) {
    if (PluginError.is(error)) throw error;
    throw new PluginError('VALIDATION_FAILED', `the validator failed on ${manifest.plugin_id}`, {
      cause: error,
    });
  } finally {
    await rm(parent, { recursive: true, force: true });
  }
}

/** Options for {@link inspectArchive}. */
export interface InspectArchiveOptions {
  validator?: PluginValidatorLike;
  extractionLimits?: ExtractionLimits;
}

/**
 * Reads an archive in memory with the strict extractor's checks (only regular files and folders,
 * no links, no traversal, size, entry and ratio caps), parses its plugin.json, runs the validator
 * (on the files written into a temporary folder, always removed; with no validator nothing touches
 * the disk), and computes its sha256.
 * @throws PluginError ARCHIVE_UNSAFE, TOO_LARGE, MANIFEST_NOT_FOUND, MANIFEST_TOO_LARGE, MANIFEST_UNREADABLE, MANIFEST_INVALID, VALIDATION_FAILED, INSTALL_FAILED (the temporary folder cannot be written)
 */
export async function inspectArchive(
  archive: Buffer,
  options: InspectArchiveOptions = {},
): Promise<ArchiveInspection> {
  const files = await readArchiveFiles(archive, options.extractionLimits);
  const manifestFile = files.find((file) => file.path === MANIFEST_FILE_NAME);
  if (manifestFile === undefined) {
    throw new PluginError('MANIFEST_NOT_FOUND', `the archive has no ${MANIFEST_FILE_NAME} at its top level`, {
      details: { path: MANIFEST_FILE_NAME },
    });
  }
  const { manifest } = parseManifestBytes(manifestFile.data, MANIFEST_FILE_NAME);
  const validation =
    options.validator === undefined ? undefined : await validateFiles(files, manifest, options.validator);
  const securityScore = validation?.securityScore ?? 100;
  return {
    manifest,
    sha256: createHash('sha256').update(archive).digest('hex'),
    size: archive.length,
    validation,
    securityScore,
    riskLevel: validation?.riskLevel ?? riskLevelForScore(securityScore),
    readme: findReadme(files),
  };
}
