import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { formatReasons } from '../errors/format-reasons';
import { PluginError } from '../errors/plugin-error';
import { parseUntrustedJson } from '../json/parse-untrusted-json';
import type { PluginConfig } from '../schemas/plugin-config';
import type { PluginMetadata } from '../schemas/plugin-metadata';
import { listIssues, type ManifestIssue } from './issues';
import { findJsonErrorOffset, locateOffset } from './locate-json-error';
import { safeParseConfig } from './parse-config';
import { safeParseManifest } from './parse-manifest';

/** The file name of a plugin manifest. */
export const MANIFEST_FILE_NAME = 'plugin.json';
/** The file name of a plugin's runtime configuration. */
export const CONFIG_FILE_NAME = 'config.json';
/** Largest plugin.json or config.json read, by default (1 MiB). */
export const DEFAULT_MANIFEST_MAX_BYTES: number = 1024 * 1024;

/** Options for {@link readManifest} and {@link readConfig}. */
export interface ReadDocumentOptions {
  /** Refuse files larger than this many bytes. Default 1 MiB. */
  maxBytes?: number;
}

/** A manifest read from disk, with its warnings and where it came from. */
export interface ReadManifestResult {
  manifest: PluginMetadata;
  warnings: ManifestIssue[];
  manifestPath: string;
}

async function readJsonDocument(
  filePath: string,
  options: ReadDocumentOptions,
  missingCode: 'MANIFEST_NOT_FOUND' | 'PLUGIN_NOT_FOUND',
): Promise<unknown> {
  const maxBytes = options.maxBytes ?? DEFAULT_MANIFEST_MAX_BYTES;
  let size: number;
  try {
    const info = await stat(filePath);
    if (!info.isFile())
      throw new PluginError(missingCode, `${filePath} is not a file`, { details: { path: filePath } });
    size = info.size;
  } catch (error) {
    if (PluginError.is(error)) throw error;
    throw new PluginError(missingCode, `${filePath} does not exist`, {
      details: { path: filePath },
      cause: error,
    });
  }
  checkDocumentSize(filePath, size, maxBytes);
  return parseDocumentBytes(await readFile(filePath), filePath, maxBytes);
}

function checkDocumentSize(filePath: string, size: number, maxBytes: number): void {
  if (size > maxBytes) {
    throw new PluginError('MANIFEST_TOO_LARGE', `${filePath} is ${size} bytes; the cap is ${maxBytes}`, {
      details: { path: filePath, size, maxBytes },
    });
  }
}

function parseDocumentBytes(bytes: Buffer, filePath: string, maxBytes: number): unknown {
  try {
    return parseUntrustedJson(bytes, { code: 'MANIFEST_UNREADABLE', what: filePath, maxBytes });
  } catch (error) {
    if (!PluginError.is(error, 'MANIFEST_UNREADABLE') || error.details.reason !== 'syntax') throw error;
    const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
    const location = locateOffset(text, findJsonErrorOffset(text));
    throw new PluginError(
      'MANIFEST_UNREADABLE',
      `${filePath}:${location.line}:${location.column} is not valid JSON (${(error.cause as Error).message})`,
      { details: { path: filePath, ...location }, cause: error.cause },
    );
  }
}

// The manifest document checked against the schema, or MANIFEST_INVALID naming `manifestPath`.
function toManifestResult(document: unknown, manifestPath: string): ReadManifestResult {
  const result = safeParseManifest(document);
  if (!result.success) {
    throw new PluginError(
      'MANIFEST_INVALID',
      formatReasons(`${manifestPath} is invalid`, listIssues(result.issues)),
      {
        details: { path: manifestPath, issues: result.issues, warnings: result.warnings },
      },
    );
  }
  return { manifest: result.value, warnings: result.warnings, manifestPath };
}

/**
 * Reads and parses `plugin.json` in a plugin folder.
 * @throws PluginError MANIFEST_NOT_FOUND, MANIFEST_TOO_LARGE, MANIFEST_UNREADABLE (with line and column), MANIFEST_INVALID
 */
export async function readManifest(
  folder: string,
  options: ReadDocumentOptions = {},
): Promise<ReadManifestResult> {
  const manifestPath = join(folder, MANIFEST_FILE_NAME);
  return toManifestResult(await readJsonDocument(manifestPath, options, 'MANIFEST_NOT_FOUND'), manifestPath);
}

/**
 * Parses a `plugin.json` already in memory (an archive read without extracting it), with the checks
 * of {@link readManifest}: the size cap, the JSON (hostile input: depth and size bounded) and the
 * schema. `manifestPath` is the name its errors give.
 * @throws PluginError MANIFEST_TOO_LARGE, MANIFEST_UNREADABLE (with line and column), MANIFEST_INVALID
 * @example
 * const { manifest } = parseManifestBytes(files.get('plugin.json'), 'plugin.json');
 */
export function parseManifestBytes(
  bytes: Uint8Array,
  manifestPath: string,
  options: ReadDocumentOptions = {},
): ReadManifestResult {
  const maxBytes = options.maxBytes ?? DEFAULT_MANIFEST_MAX_BYTES;
  checkDocumentSize(manifestPath, bytes.length, maxBytes);
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return toManifestResult(parseDocumentBytes(buffer, manifestPath, maxBytes), manifestPath);
}

/**
 * Reads `config.json` in a plugin folder, or returns `undefined` when the folder has none.
 * @throws PluginError MANIFEST_TOO_LARGE, MANIFEST_UNREADABLE, CONFIG_INVALID
 */
export async function readConfig(
  folder: string,
  options: ReadDocumentOptions = {},
): Promise<PluginConfig | undefined> {
  const configPath = join(folder, CONFIG_FILE_NAME);
  try {
    await stat(configPath);
  } catch {
    return undefined;
  }
  const document = await readJsonDocument(configPath, options, 'MANIFEST_NOT_FOUND');
  const result = safeParseConfig(document);
  if (!result.success) {
    throw new PluginError(
      'CONFIG_INVALID',
      formatReasons(`${configPath} is invalid`, listIssues(result.issues)),
      {
        details: { path: configPath, issues: result.issues, warnings: result.warnings },
      },
    );
  }
  return result.value;
}
