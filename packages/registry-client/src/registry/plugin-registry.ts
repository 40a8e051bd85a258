import { createHash, randomBytes } from 'node:crypto';
import { cp, lstat, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  isValidPluginId,
  type PluginDependency,
  PluginError,
  type PluginMarketplaceInfo,
  type PluginMetadata,
  type PluginPermissions,
  PluginValidationError,
  type PluginValidationResult,
  readManifest,
} from '@agentplug/models';
import { PluginValidator } from '@agentplug/validator';
import { resolveDependencies } from '@agentplug/version';
import {
  type ArchiveInflater,
  createArchiveInflater,
  type ExtractionLimits,
  extractArchive,
  writeArchiveFiles,
} from '../archive/extract-archive';
import { packPlugin } from '../archive/pack-plugin';
import { type FetchFunction, fetchBytes, type NetworkOptions } from '../network/fetch-bytes';
import {
  ARCHIVES_PATH,
  formatArchiveName,
  INDEX_PATH,
  type IndexPluginEntry,
  type IndexVersionEntry,
  type SignedIndexBody,
} from '../protocol/marketplace-index';
import { type SearchQuery, searchIndex, toMarketplaceInfo } from '../protocol/search-index';
import { verifyIndexDocument } from '../protocol/sign-index';
import type { TrustedKey } from '../protocol/signing-keys';
import {
  isNewerVersion,
  isRuntimeCompatible,
  matchesConstraint,
  pickLatestVersion,
  sortVersionsDescending,
} from '../protocol/version-rules';
import { acquireLock } from './install-lock';
import { type LockFile, type LockFileEntry, readLockFile, writeLockFile } from './lock-file';
import { findEscalatedPermissions } from './permissions';
import { getWorkFolders, recoverInterruptedInstalls } from './recover-installs';
import { writeFileAtomic } from './write-file-atomic';

/** Anything with the validator's `validatePlugin` (an `@agentplug/validator` PluginValidator). */
export interface PluginValidatorLike {
  validatePlugin(
    pluginPath: string,
    metadata?: PluginMetadata,
  ): Promise<PluginValidationResult> | PluginValidationResult;
}

/** Options of {@link PluginRegistry}. */
export interface PluginRegistryOptions {
  /** Where plugins are installed, one folder per plugin id. */
  pluginDirectory: string;
  /** Validates downloads and installs. Default a new `@agentplug/validator` PluginValidator. */
  validator?: PluginValidatorLike;
  /** Base URL of the marketplace (static host or reference server). */
  marketplaceUrl?: string;
  /** Default true when a marketplaceUrl is given. When false, marketplace calls fail with MARKETPLACE_DISABLED. */
  enableMarketplace?: boolean;
  /** Public keys whose signatures on the index are trusted (base64 SPKI DER or PEM). */
  trustedKeys?: readonly TrustedKey[];
  /** The host runtime's version: incompatible plugin versions are never chosen. */
  runtimeVersion?: string;
  /** Downloads and the last-seen index version live here. Default `$XDG_CACHE_HOME/agentplug` or `~/.cache/agentplug`. */
  cacheDirectory?: string;
  /** fetch to use. Default the global fetch. */
  fetch?: FetchFunction;
  /** Most milliseconds until response headers (connect included). Default 10,000. */
  requestTimeoutMs?: number;
  /** Most milliseconds a response body may stall. Default 15,000. */
  stallTimeoutMs?: number;
  /** Retries on network errors, timeouts and 5xx. Default 2. */
  retries?: number;
  /** First retry delay, doubling. Default 250. */
  retryDelayMs?: number;
  /** How long a verified index is reused before it is fetched again. Default 30,000 ms. */
  indexMaxAgeMs?: number;
  /** Largest index accepted. Default 64 MiB. */
  maxIndexBytes?: number;
  /** Caps applied when extracting archives. */
  extractionLimits?: ExtractionLimits;
  /** The clock used for expiry checks (tests). */
  now?: () => Date;
}

/** Progress of a download. */
export interface DownloadProgress {
  pluginId: string;
  version: string;
  receivedBytes: number;
  totalBytes: number;
}

/** Options of {@link PluginRegistry.downloadPlugin}. */
export interface DownloadPluginOptions {
  /** Exact version; default the newest non-yanked version compatible with the runtime. */
  version?: string;
  /** Run the validator on the extracted plugin. Default true. */
  validate?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/** Options of {@link PluginRegistry.installPlugin}. */
export interface InstallPluginOptions {
  /** Accept permissions beyond those accepted for the installed version. */
  approvePermissions?: boolean;
  /** Alias of `approvePermissions`. */
  acceptPermissions?: boolean;
  /** Validate before installing (skipped for a download this registry already validated). Default true. */
  validate?: boolean;
}

/** Options of {@link PluginRegistry.install}. */
export interface InstallOptions {
  /** Version range for the plugin, e.g. `^1.2.0`. Default any. */
  range?: string;
  approvePermissions?: boolean;
  validate?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
}

/** What {@link PluginRegistry.install} did. */
export interface InstallResult {
  pluginId: string;
  version: string;
  /** Installed now, dependencies first. */
  installed: { pluginId: string; version: string }[];
  /** Already installed at the resolved version. */
  unchanged: { pluginId: string; version: string }[];
  warnings: string[];
}

/** An available update, as the seed returns it. */
export interface PluginUpdate {
  pluginId: string;
  currentVersion: string;
  availableVersion: string;
}

/** Everything the signed index says about one plugin, plus what is installed. */
export interface PluginInfo {
  plugin_id: string;
  name: string;
  description: string;
  plugin_type: IndexPluginEntry['plugin_type'];
  tags: string[];
  author: string;
  downloads: number;
  rating: number;
  rating_count: number;
  /** Newest non-yanked version compatible with the runtime, if any. */
  latest_version: string | undefined;
  /** Security score of `latest_version`. */
  security_score: number | undefined;
  /** Every version, newest first, with `compatible` for this runtime. */
  versions: (IndexVersionEntry & { compatible: boolean })[];
  installed_version: string | undefined;
}

interface DownloadRecord {
  pluginId: string;
  version: string;
  sha256: string;
  source: string;
  validated: boolean;
}

function defaultCacheDirectory(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'agentplug');
}

function randomSuffix(): string {
  return `${process.pid}-${randomBytes(6).toString('hex')}`;
}

function checkPluginId(pluginId: string): void {
  if (typeof pluginId !== 'string' || !isValidPluginId(pluginId)) {
    throw new PluginError('INVALID_ARGUMENT', `"${pluginId}" is not a reverse-DNS plugin id`, {
      details: { pluginId },
    });
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@link PluginRegistry.uninstallPlugin}. */
export interface UninstallOptions {
  /** Uninstall even when other installed plugins require this one. */
  force?: boolean;
}

/**
 * Searches a marketplace and installs plugins into a plugin directory: signed index (signature,
 * expiry, no rollback), size-capped and sha256-checked downloads, safe extraction, validation, and
 * atomic installs recorded in `agentplug-lock.json`.
 *
 * @example
 * const registry = new PluginRegistry({ pluginDirectory: './plugins', validator, marketplaceUrl, trustedKeys: [publicKey] });
 * const [hit] = await registry.searchMarketplace({ query: 'calculator' });
 * await registry.install(hit.plugin_id);
 */
export class PluginRegistry {
  readonly pluginDirectory: string;
  readonly cacheDirectory: string;
  readonly marketplaceUrl: string | undefined;
  readonly enableMarketplace: boolean;
  readonly runtimeVersion: string | undefined;
  private readonly validator: PluginValidatorLike;
  private readonly trustedKeys: readonly TrustedKey[];
  private readonly network: NetworkOptions;
  private readonly indexMaxAgeMs: number;
  private readonly maxIndexBytes: number;
  private readonly extractionLimits: ExtractionLimits;
  private readonly now: () => Date;
  private readonly downloads = new Map<string, DownloadRecord>();
  private cachedIndex: { body: SignedIndexBody; fetchedAt: number } | undefined;
  private recovery: Promise<unknown> | undefined;
  private lockFileQueue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(options: PluginRegistryOptions) {
    if (typeof options?.pluginDirectory !== 'string' || options.pluginDirectory === '') {
      throw new PluginError('INVALID_ARGUMENT', 'pluginDirectory is required');
    }
    this.pluginDirectory = resolve(options.pluginDirectory);
    this.cacheDirectory = resolve(options.cacheDirectory ?? defaultCacheDirectory());
    this.marketplaceUrl =
      options.marketplaceUrl === undefined
        ? undefined
        : options.marketplaceUrl.endsWith('/')
          ? options.marketplaceUrl
          : `${options.marketplaceUrl}/`;
    this.enableMarketplace = options.enableMarketplace ?? this.marketplaceUrl !== undefined;
    this.runtimeVersion = options.runtimeVersion;
    this.validator = options.validator ?? new PluginValidator();
    this.trustedKeys = options.trustedKeys ?? [];
    this.network = {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 15_000,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 250,
    };
    this.indexMaxAgeMs = options.indexMaxAgeMs ?? 30_000;
    this.maxIndexBytes = options.maxIndexBytes ?? 64 * 1024 * 1024;
    this.extractionLimits = options.extractionLimits ?? {};
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Searches the marketplace: the server's search endpoint when the index names one (results are
   * checked against the signed index), otherwise the signed index itself.
   * @throws PluginError MARKETPLACE_DISABLED, NETWORK_ERROR, TIMEOUT, SIGNATURE_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED
   */
  async searchMarketplace(search: SearchQuery = {}): Promise<PluginMarketplaceInfo[]> {
    const body = await this.refreshIndex({ force: false });
    if (body.search_endpoint !== undefined) {
      const fromServer = await this.searchOnServer(body, search).catch((error: unknown) => {
        if (
          PluginError.is(error, 'NETWORK_ERROR') ||
          PluginError.is(error, 'TIMEOUT') ||
          PluginError.is(error, 'NOT_FOUND')
        ) {
          return undefined;
        }
        throw error;
      });
      if (fromServer !== undefined) return fromServer;
    }
    return searchIndex(body, { ...search, runtimeVersion: this.runtimeVersion });
  }

  private async searchOnServer(body: SignedIndexBody, search: SearchQuery): Promise<PluginMarketplaceInfo[]> {
    const url = new URL(body.search_endpoint ?? '', this.requireMarketplaceUrl());
    if (url.origin !== new URL(this.requireMarketplaceUrl()).origin)
      return searchIndex(body, { ...search, runtimeVersion: this.runtimeVersion });
    if (search.query !== undefined) url.searchParams.set('q', search.query);
    if (search.pluginType !== undefined) url.searchParams.set('type', search.pluginType);
    if (search.tags !== undefined && search.tags.length > 0)
      url.searchParams.set('tags', search.tags.join(','));
    const limit = search.limit ?? 20;
    url.searchParams.set('limit', String(limit));
    const bytes = await fetchBytes(url.toString(), this.network, { maxBytes: 8 * 1024 * 1024 });
    let results: unknown;
    try {
      results = (JSON.parse(bytes.toString('utf8')) as { results?: unknown }).results;
    } catch (error) {
      throw new PluginError('NETWORK_ERROR', 'the search endpoint did not answer JSON', { cause: error });
    }
    if (!Array.isArray(results))
      throw new PluginError('NETWORK_ERROR', 'the search endpoint answered no results list');
    const output: PluginMarketplaceInfo[] = [];
    for (const result of results as { plugin_id?: unknown; downloads?: unknown; rating?: unknown }[]) {
      // Only the ranking and the live counters come from the unsigned answer; the rest is from the signed index.
      const entry = typeof result?.plugin_id === 'string' ? body.plugins[result.plugin_id] : undefined;
      if (entry === undefined) continue;
      if (search.pluginType !== undefined && entry.plugin_type !== search.pluginType) continue;
      const latest = pickLatestVersion(entry.versions, { runtimeVersion: this.runtimeVersion });
      if (latest === undefined) continue;
      const info = toMarketplaceInfo(entry, latest);
      if (
        typeof result.downloads === 'number' &&
        Number.isSafeInteger(result.downloads) &&
        result.downloads >= 0
      ) {
        info.downloads = result.downloads;
      }
      if (typeof result.rating === 'number' && result.rating >= 0 && result.rating <= 5)
        info.rating = result.rating;
      output.push(info);
      if (output.length >= limit) break;
    }
    return output;
  }

  /**
   * Fetches and verifies the index (or reuses one verified less than `indexMaxAgeMs` ago): trusted
   * signature, protocol, expiry, and a version not lower than the last one seen, which is then stored.
   * @throws PluginError MARKETPLACE_DISABLED, SIGNATURE_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED, NETWORK_ERROR, TIMEOUT, TOO_LARGE
   */
  async refreshIndex(options: { force?: boolean } = {}): Promise<SignedIndexBody> {
    const baseUrl = this.requireMarketplaceUrl();
    if (
      options.force !== true &&
      this.cachedIndex !== undefined &&
      Date.now() - this.cachedIndex.fetchedAt < this.indexMaxAgeMs &&
      Date.parse(this.cachedIndex.body.expires) > this.now().getTime()
    ) {
      return this.cachedIndex.body;
    }
    const bytes = await fetchBytes(new URL(INDEX_PATH, baseUrl).toString(), this.network, {
      maxBytes: this.maxIndexBytes,
    });
    let document: unknown;
    try {
      document = JSON.parse(bytes.toString('utf8'));
    } catch (error) {
      throw new PluginError('SIGNATURE_INVALID', 'the marketplace index is not JSON', { cause: error });
    }
    const { body, sha256 } = verifyIndexDocument(document, {
      trustedKeys: this.trustedKeys,
      now: this.now(),
    });
    await this.checkRollback(baseUrl, body, sha256);
    this.cachedIndex = { body, fetchedAt: Date.now() };
    return body;
  }

  private async checkRollback(baseUrl: string, body: SignedIndexBody, digest: string): Promise<void> {
    const statePath = join(this.cacheDirectory, 'index-state.json');
    let state: Record<string, { version: number; sha256: string }> = {};
    try {
      state = JSON.parse(await readFile(statePath, 'utf8')) as typeof state;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new PluginError(
          'ROLLBACK_DETECTED',
          `cannot read the last-seen index versions in ${statePath}; delete it only if you trust the marketplace`,
          {
            cause: error,
          },
        );
      }
    }
    const seen = state[baseUrl];
    if (seen !== undefined) {
      if (body.version < seen.version) {
        throw new PluginError(
          'ROLLBACK_DETECTED',
          `the marketplace served index version ${body.version}, older than version ${seen.version} seen before`,
          { details: { version: body.version, lastSeenVersion: seen.version } },
        );
      }
      if (body.version === seen.version && digest !== seen.sha256) {
        throw new PluginError(
          'ROLLBACK_DETECTED',
          `the marketplace served different content under index version ${body.version}`,
          { details: { version: body.version } },
        );
      }
      if (body.version === seen.version) return;
    }
    state[baseUrl] = { version: body.version, sha256: digest };
    try {
      await mkdir(this.cacheDirectory, { recursive: true });
      await writeFileAtomic(statePath, `${JSON.stringify(state, null, 2)}\n`);
    } catch (error) {
      // Without a stored version, rollback protection would silently lapse: refuse instead.
      throw new PluginError('INTERNAL', `cannot record the index version in ${statePath}`, { cause: error });
    }
  }

  /**
   * Everything the signed index says about a plugin: every version (newest first) with its
   * permissions, dependencies, security score and yanked flag, and the installed version.
   * @throws PluginError NOT_FOUND, MARKETPLACE_DISABLED, and the index errors of {@link PluginRegistry.refreshIndex}
   */
  async getPluginInfo(pluginId: string): Promise<PluginInfo> {
    checkPluginId(pluginId);
    const body = await this.refreshIndex();
    const entry = body.plugins[pluginId];
    if (entry === undefined)
      throw new PluginError('NOT_FOUND', `the marketplace has no plugin ${pluginId}`, {
        details: { pluginId },
      });
    const latest = pickLatestVersion(entry.versions, { runtimeVersion: this.runtimeVersion });
    const installed = await this.readInstalledManifest(pluginId);
    return {
      plugin_id: entry.plugin_id,
      name: entry.name,
      description: entry.description,
      plugin_type: entry.plugin_type,
      tags: [...entry.tags],
      author: entry.author,
      downloads: entry.downloads,
      rating: entry.rating,
      rating_count: entry.rating_count,
      latest_version: latest?.version,
      security_score: latest?.security_score,
      versions: sortVersionsDescending(Object.values(entry.versions)).map((version) => ({
        ...version,
        compatible: isRuntimeCompatible(version, this.runtimeVersion),
      })),
      installed_version: installed?.version,
    };
  }

  private chooseVersion(
    pluginId: string,
    entry: IndexPluginEntry | undefined,
    request: { version?: string; range?: string },
  ): IndexVersionEntry {
    if (entry === undefined)
      throw new PluginError('NOT_FOUND', `the marketplace has no plugin ${pluginId}`, {
        details: { pluginId },
      });
    if (request.version !== undefined) {
      const exact = entry.versions[request.version];
      if (exact === undefined) {
        throw new PluginError(
          'NOT_FOUND',
          `the marketplace has no version ${request.version} of ${pluginId}`,
          {
            details: { pluginId, version: request.version, available: Object.keys(entry.versions) },
          },
        );
      }
      if (!isRuntimeCompatible(exact, this.runtimeVersion)) {
        throw new PluginError(
          'INCOMPATIBLE',
          `${pluginId} ${exact.version} needs runtime ${exact.min_runtime_version} to ${exact.max_runtime_version}; this runtime is ${this.runtimeVersion}`,
          { details: { pluginId, version: exact.version, runtimeVersion: this.runtimeVersion } },
        );
      }
      return exact;
    }
    const latest = pickLatestVersion(entry.versions, {
      runtimeVersion: this.runtimeVersion,
      range: request.range,
    });
    if (latest === undefined) {
      const anyInRange = pickLatestVersion(entry.versions, { range: request.range });
      throw new PluginError(
        anyInRange === undefined ? 'NOT_FOUND' : 'INCOMPATIBLE',
        anyInRange === undefined
          ? `no published, non-yanked version of ${pluginId} matches ${request.range ?? 'any version'}`
          : `no version of ${pluginId} in ${request.range ?? 'any version'} supports runtime ${this.runtimeVersion}`,
        { details: { pluginId, range: request.range, runtimeVersion: this.runtimeVersion } },
      );
    }
    return latest;
  }

  /**
   * Downloads a plugin version into the cache, verifies it (size cap, sha256), extracts it safely,
   * checks its plugin.json names that id and version, and validates it. Nothing touches the plugin directory.
   * @returns the folder of the verified plugin, to pass to {@link PluginRegistry.installPlugin}
   * @throws PluginError NOT_FOUND, INCOMPATIBLE, TOO_LARGE, INTEGRITY_MISMATCH, ARCHIVE_UNSAFE, TIMEOUT, NETWORK_ERROR, VALIDATION_FAILED, and the index errors
   */
  async downloadPlugin(pluginId: string, options: DownloadPluginOptions = {}): Promise<string> {
    checkPluginId(pluginId);
    const validate = options.validate ?? true;
    const body = await this.refreshIndex();
    const versionEntry = this.chooseVersion(pluginId, body.plugins[pluginId], { version: options.version });
    return this.downloadVersion(pluginId, versionEntry, { validate, onProgress: options.onProgress });
  }

  private async downloadVersion(
    pluginId: string,
    versionEntry: IndexVersionEntry,
    options: { validate: boolean; onProgress?: (progress: DownloadProgress) => void },
  ): Promise<string> {
    const baseUrl = this.requireMarketplaceUrl();
    const version = versionEntry.version;
    const archiveUrl = new URL(
      `${ARCHIVES_PATH}/${formatArchiveName(pluginId, version)}`,
      baseUrl,
    ).toString();
    let hash = createHash('sha256');
    // Inflating overlaps the download; nothing inflated is parsed or written before size and hash pass.
    let inflater: ArchiveInflater | undefined;
    let archive: Buffer;
    try {
      archive = await fetchBytes(archiveUrl, this.network, {
        maxBytes: versionEntry.size,
        onAttempt: () => {
          hash = createHash('sha256');
          inflater?.abort();
          inflater = createArchiveInflater(versionEntry.size, this.extractionLimits);
        },
        onChunk: (chunk, receivedBytes) => {
          hash.update(chunk);
          inflater?.write(chunk);
          options.onProgress?.({ pluginId, version, receivedBytes, totalBytes: versionEntry.size });
        },
      });
    } catch (error) {
      inflater?.abort();
      throw error;
    }
    const checkedInflater = inflater ?? createArchiveInflater(versionEntry.size, this.extractionLimits);
    if (archive.length !== versionEntry.size) {
      checkedInflater.abort();
      throw new PluginError(
        'INTEGRITY_MISMATCH',
        `${archiveUrl} is ${archive.length} bytes; the signed index says ${versionEntry.size}`,
        { details: { pluginId, version, size: archive.length, expectedSize: versionEntry.size } },
      );
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== versionEntry.sha256) {
      checkedInflater.abort();
      throw new PluginError('INTEGRITY_MISMATCH', `${archiveUrl} does not match its signed sha256`, {
        details: { pluginId, version, sha256, expectedSha256: versionEntry.sha256 },
      });
    }
    const downloadsFolder = join(this.cacheDirectory, 'downloads');
    await mkdir(downloadsFolder, { recursive: true }).catch((error: unknown) => {
      throw new PluginError('INSTALL_FAILED', `cannot create the download cache ${downloadsFolder}`, {
        cause: error,
      });
    });
    const files = await checkedInflater.finish();
    const temporary = join(downloadsFolder, `.tmp-${pluginId}-${randomSuffix()}`);
    try {
      await writeArchiveFiles(files, temporary);
      const manifest = await this.readExtractedManifest(temporary);
      if (manifest.plugin_id !== pluginId || manifest.version !== version) {
        throw new PluginError(
          'INTEGRITY_MISMATCH',
          `the archive for ${pluginId} ${version} holds ${manifest.plugin_id} ${manifest.version}`,
          {
            details: {
              pluginId,
              version,
              archivePluginId: manifest.plugin_id,
              archiveVersion: manifest.version,
            },
          },
        );
      }
      if (options.validate) await this.runValidator(temporary, manifest);
      const finalPath = join(downloadsFolder, `${pluginId}-${version}`);
      await rm(finalPath, { recursive: true, force: true });
      await rename(temporary, finalPath);
      this.downloads.set(finalPath, {
        pluginId,
        version,
        sha256,
        source: baseUrl,
        validated: options.validate,
      });
      return finalPath;
    } catch (error) {
      await rm(temporary, { recursive: true, force: true });
      if (PluginError.is(error)) throw error;
      throw new PluginError('INSTALL_FAILED', `cannot store ${pluginId} ${version} in the download cache`, {
        cause: error,
      });
    }
  }

  private async readExtractedManifest(folder: string): Promise<PluginMetadata> {
    try {
      return (await readManifest(folder)).manifest;
    } catch (error) {
      if (PluginError.is(error, 'MANIFEST_NOT_FOUND')) {
        throw new PluginError('ARCHIVE_UNSAFE', 'the archive has no plugin.json at its root', {
          cause: error,
        });
      }
      throw error;
    }
  }

  private async runValidator(folder: string, manifest: PluginMetadata): Promise<void> {
    let result: PluginValidationResult;
    try {
      result = await this.validator.validatePlugin(folder, manifest);
    } catch (error) {
      if (PluginError.is(error)) throw error;
      throw new PluginError('VALIDATION_FAILED', `the validator failed on ${manifest.plugin_id}`, {
        cause: error,
      });
    }
    if (!result.valid) {
      throw new PluginValidationError(
        `${manifest.plugin_id} ${manifest.version} failed validation: ${result.errors.join('; ')}`,
        result,
        { details: { pluginId: manifest.plugin_id, version: manifest.version } },
      );
    }
  }

  /**
   * Installs a plugin from a folder (a {@link PluginRegistry.downloadPlugin} result, or any plugin
   * folder) or a `.tgz`: copied into a staging folder inside the plugin directory, then swapped in
   * by rename, then recorded in the lock file. The previous version stays intact on any failure.
   * @throws PluginError INSTALL_LOCKED, PERMISSIONS_ESCALATED, INCOMPATIBLE, INVALID_ARGUMENT, VALIDATION_FAILED, ARCHIVE_UNSAFE, INSTALL_FAILED
   */
  async installPlugin(
    pluginId: string,
    downloadPath: string,
    options: InstallPluginOptions = {},
  ): Promise<void> {
    checkPluginId(pluginId);
    await this.ensureRecovered();
    const folders = getWorkFolders(this.pluginDirectory);
    const release = await acquireLock(folders.locks, pluginId);
    const cleanup: string[] = [];
    try {
      const source = resolve(downloadPath);
      let record = this.downloads.get(source);
      let folder = source;
      const info = await stat(source).catch((error: unknown) => {
        throw new PluginError('INVALID_ARGUMENT', `${source} does not exist`, { cause: error });
      });
      if (info.isFile()) {
        const archive = await readFile(source);
        folder = join(folders.staging, `unpack-${pluginId}-${randomSuffix()}`);
        await mkdir(folders.staging, { recursive: true });
        cleanup.push(folder);
        await extractArchive(archive, folder, this.extractionLimits);
        record = {
          pluginId,
          version: '',
          sha256: createHash('sha256').update(archive).digest('hex'),
          source: `file:${source}`,
          validated: false,
        };
      }
      const manifest = await this.readExtractedManifest(folder);
      if (manifest.plugin_id !== pluginId) {
        throw new PluginError('INVALID_ARGUMENT', `${source} holds ${manifest.plugin_id}, not ${pluginId}`, {
          details: { pluginId, found: manifest.plugin_id },
        });
      }
      if (!isRuntimeCompatible(manifest, this.runtimeVersion)) {
        throw new PluginError(
          'INCOMPATIBLE',
          `${pluginId} ${manifest.version} needs runtime ${manifest.min_runtime_version} to ${manifest.max_runtime_version}; this runtime is ${this.runtimeVersion}`,
          { details: { pluginId, version: manifest.version, runtimeVersion: this.runtimeVersion } },
        );
      }
      const lockFile = await readLockFile(this.pluginDirectory);
      const previous = lockFile.plugins[pluginId];
      const approved = options.approvePermissions === true || options.acceptPermissions === true;
      if (previous !== undefined && !approved) {
        const escalated = findEscalatedPermissions(previous.permissions, manifest.permissions);
        if (Object.keys(escalated).length > 0) {
          throw new PluginError(
            'PERMISSIONS_ESCALATED',
            `${pluginId} ${manifest.version} asks for permissions not accepted for ${previous.version}: ${JSON.stringify(escalated)}`,
            { details: { pluginId, version: manifest.version, escalated } },
          );
        }
      }
      if ((options.validate ?? true) && record?.validated !== true) await this.runValidator(folder, manifest);
      if (record === undefined) {
        record = {
          pluginId,
          version: manifest.version,
          sha256: (await packPlugin(folder)).sha256,
          source: `file:${source}`,
          validated: true,
        };
      }
      await mkdir(folders.staging, { recursive: true });
      const staging = join(folders.staging, `${pluginId}-${randomSuffix()}`);
      cleanup.push(staging);
      await copyPluginFolder(folder, staging);
      await this.commitInstall(pluginId, staging, {
        version: manifest.version,
        sha256: record.sha256,
        source: record.source,
        permissions: mergePermissions(previous?.permissions, manifest.permissions, approved),
        installed_at: this.now().toISOString(),
      });
    } catch (error) {
      if (PluginError.is(error)) throw error;
      throw new PluginError('INSTALL_FAILED', `cannot install ${pluginId}`, {
        cause: error,
        details: { pluginId },
      });
    } finally {
      for (const path of cleanup) await rm(path, { recursive: true, force: true });
      await release();
    }
  }

  private async commitInstall(pluginId: string, staging: string, entry: LockFileEntry): Promise<void> {
    const folders = getWorkFolders(this.pluginDirectory);
    const target = join(this.pluginDirectory, pluginId);
    const backup = join(folders.backup, pluginId);
    await mkdir(folders.backup, { recursive: true });
    await rm(backup, { recursive: true, force: true });
    const hadPrevious = await pathExists(target);
    if (hadPrevious) await rename(target, backup);
    try {
      await rename(staging, target);
    } catch (error) {
      if (hadPrevious) await rename(backup, target);
      throw new PluginError('INSTALL_FAILED', `cannot move ${pluginId} into place`, { cause: error });
    }
    try {
      // The lock file write is the commit point: recovery keeps the new version only once it is recorded.
      await this.updateLockFile((lockFile) => {
        lockFile.plugins[pluginId] = entry;
      });
    } catch (error) {
      await rm(target, { recursive: true, force: true });
      if (hadPrevious) await rename(backup, target);
      throw new PluginError('INSTALL_FAILED', `cannot record ${pluginId} in the lock file`, { cause: error });
    }
    await rm(backup, { recursive: true, force: true });
  }

  private updateLockFile(change: (lockFile: LockFile) => void): Promise<void> {
    const run = async (): Promise<void> => {
      const release = await acquireLock(getWorkFolders(this.pluginDirectory).locks, '_lockfile', {
        waitMs: 10_000,
      });
      try {
        const lockFile = await readLockFile(this.pluginDirectory);
        change(lockFile);
        await writeLockFile(this.pluginDirectory, lockFile);
      } finally {
        await release();
      }
    };
    const next = this.lockFileQueue.then(run, run);
    this.lockFileQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * Downloads, verifies, validates and installs a plugin with the dependencies it needs, resolved
   * with @agentplug/version against the marketplace and what is installed. Dependencies install first.
   * @throws PluginError DEPENDENCY_UNRESOLVED (with the resolver's explanation), and the errors of downloadPlugin and installPlugin
   */
  async install(pluginId: string, options: InstallOptions = {}): Promise<InstallResult> {
    checkPluginId(pluginId);
    const validate = options.validate ?? true;
    const body = await this.refreshIndex();
    const rootEntry = this.chooseVersion(pluginId, body.plugins[pluginId], { range: options.range });
    const installed = new Map(
      (await this.listInstalledPlugins()).map((manifest) => [manifest.plugin_id, manifest]),
    );
    const root = { plugin_id: pluginId, version: rootEntry.version, dependencies: rootEntry.dependencies };
    const getVersions = (id: string) => {
      const records: {
        plugin_id: string;
        version: string;
        dependencies: PluginDependency[];
        min_runtime_version: string;
        max_runtime_version: string;
      }[] = [];
      const entry = body.plugins[id];
      for (const version of Object.values(entry?.versions ?? {})) {
        if (version.yanked) continue;
        records.push({
          plugin_id: id,
          version: version.version,
          dependencies: version.dependencies,
          min_runtime_version: version.min_runtime_version,
          max_runtime_version: version.max_runtime_version,
        });
      }
      const local = installed.get(id);
      if (local !== undefined && !records.some((record) => record.version === local.version)) {
        records.push({
          plugin_id: id,
          version: local.version,
          dependencies: local.dependencies,
          min_runtime_version: local.min_runtime_version,
          max_runtime_version: local.max_runtime_version,
        });
      }
      return records;
    };
    const resolution = await resolveDependencies(
      root,
      { getVersions },
      { runtimeVersion: this.runtimeVersion },
    );
    if (!resolution.ok) {
      throw new PluginError(
        'DEPENDENCY_UNRESOLVED',
        `cannot install ${pluginId} ${rootEntry.version}: ${resolution.explanation}`,
        {
          details: { pluginId, version: rootEntry.version, explanation: resolution.explanation },
        },
      );
    }
    const plan: { pluginId: string; version: string }[] = [];
    for (const id of resolution.order) {
      const version = resolution.solution[id];
      if (id !== pluginId && version !== undefined) plan.push({ pluginId: id, version });
    }
    plan.push({ pluginId, version: rootEntry.version });
    const result: InstallResult = {
      pluginId,
      version: rootEntry.version,
      installed: [],
      unchanged: [],
      warnings: [...(resolution.warnings ?? []).map(String)],
    };
    for (const step of plan) {
      if (installed.get(step.pluginId)?.version === step.version) {
        result.unchanged.push(step);
        continue;
      }
      const entry = body.plugins[step.pluginId]?.versions[step.version];
      if (entry === undefined) {
        throw new PluginError(
          'NOT_FOUND',
          `the marketplace has no version ${step.version} of ${step.pluginId}`,
          {
            details: step,
          },
        );
      }
      const path = await this.downloadVersion(step.pluginId, entry, {
        validate,
        onProgress: options.onProgress,
      });
      await this.installPlugin(step.pluginId, path, {
        approvePermissions: options.approvePermissions,
        validate,
      });
      result.installed.push(step);
    }
    return result;
  }

  /**
   * Removes an installed plugin (its folder and its lock file entry). Refuses while another
   * installed plugin requires it, unless `force` is set.
   * @throws PluginError PLUGIN_NOT_FOUND, DEPENDENTS_INSTALLED, INSTALL_LOCKED, INSTALL_FAILED
   */
  async uninstallPlugin(pluginId: string, options: UninstallOptions = {}): Promise<void> {
    checkPluginId(pluginId);
    await this.ensureRecovered();
    if (!options.force) {
      const dependents = (await this.listInstalledPlugins()).filter((manifest) =>
        manifest.dependencies.some((dependency) => dependency.plugin_id === pluginId && !dependency.optional),
      );
      if (dependents.length > 0) {
        const names = dependents.map((manifest) => `${manifest.plugin_id}@${manifest.version}`);
        throw new PluginError(
          'DEPENDENTS_INSTALLED',
          `cannot uninstall ${pluginId}: ${names.join(', ')} require${names.length === 1 ? 's' : ''} it`,
          { details: { pluginId, dependents: dependents.map((manifest) => manifest.plugin_id) } },
        );
      }
    }
    const folders = getWorkFolders(this.pluginDirectory);
    const release = await acquireLock(folders.locks, pluginId);
    try {
      const target = join(this.pluginDirectory, pluginId);
      if (!(await pathExists(target))) {
        throw new PluginError('PLUGIN_NOT_FOUND', `${pluginId} is not installed in ${this.pluginDirectory}`, {
          details: { pluginId },
        });
      }
      await mkdir(folders.trash, { recursive: true });
      const trash = join(folders.trash, `${pluginId}-${randomSuffix()}`);
      try {
        await rename(target, trash);
        await this.updateLockFile((lockFile) => {
          delete lockFile.plugins[pluginId];
        });
      } catch (error) {
        throw new PluginError('INSTALL_FAILED', `cannot uninstall ${pluginId}`, { cause: error });
      }
      await rm(trash, { recursive: true, force: true });
    } finally {
      await release();
    }
  }

  /** The plugins installed in the plugin directory (each folder with a valid plugin.json), sorted by id. */
  async listInstalledPlugins(): Promise<PluginMetadata[]> {
    await this.ensureRecovered();
    let names: string[];
    try {
      names = await readdir(this.pluginDirectory);
    } catch {
      return [];
    }
    const manifests: PluginMetadata[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const manifest = await this.readInstalledManifest(name);
      if (manifest !== undefined) manifests.push(manifest);
    }
    return manifests;
  }

  /** The lock file of the plugin directory. */
  async readLockFile(): Promise<LockFile> {
    return readLockFile(this.pluginDirectory);
  }

  private async readInstalledManifest(name: string): Promise<PluginMetadata | undefined> {
    try {
      return (await readManifest(join(this.pluginDirectory, name))).manifest;
    } catch {
      return undefined;
    }
  }

  /**
   * Lists installed plugins that have a newer version on the marketplace: non-yanked, compatible with
   * the runtime, and satisfying every installed plugin's constraint on it.
   * @throws PluginError MARKETPLACE_DISABLED, and the index errors
   */
  async checkUpdates(): Promise<PluginUpdate[]> {
    const body = await this.refreshIndex();
    const installed = await this.listInstalledPlugins();
    const updates: PluginUpdate[] = [];
    for (const manifest of installed) {
      const entry = body.plugins[manifest.plugin_id];
      if (entry === undefined) continue;
      const constraints = installed.flatMap((other) =>
        other.dependencies
          .filter((dependency) => dependency.plugin_id === manifest.plugin_id)
          .map((dependency) => dependency.version_constraint),
      );
      const candidate = sortVersionsDescending(Object.values(entry.versions)).find(
        (version) =>
          !version.yanked &&
          isRuntimeCompatible(version, this.runtimeVersion) &&
          constraints.every((constraint) => matchesConstraint(version.version, constraint)),
      );
      if (candidate !== undefined && isNewerVersion(candidate.version, manifest.version)) {
        updates.push({
          pluginId: manifest.plugin_id,
          currentVersion: manifest.version,
          availableVersion: candidate.version,
        });
      }
    }
    return updates;
  }

  /** Releases the registry; later marketplace calls fail with MARKETPLACE_DISABLED. */
  async close(): Promise<void> {
    this.closed = true;
    this.cachedIndex = undefined;
    await this.lockFileQueue;
  }

  private requireMarketplaceUrl(): string {
    if (this.closed) throw new PluginError('MARKETPLACE_DISABLED', 'the registry is closed');
    if (!this.enableMarketplace) {
      throw new PluginError('MARKETPLACE_DISABLED', 'the marketplace is disabled for this registry');
    }
    if (this.marketplaceUrl === undefined) {
      throw new PluginError('MARKETPLACE_DISABLED', 'no marketplaceUrl is configured');
    }
    return this.marketplaceUrl;
  }

  private ensureRecovered(): Promise<unknown> {
    this.recovery ??= recoverInterruptedInstalls(this.pluginDirectory).catch((error: unknown) => {
      this.recovery = undefined;
      throw new PluginError(
        'INSTALL_FAILED',
        `cannot recover interrupted installs in ${this.pluginDirectory}`,
        {
          cause: error,
        },
      );
    });
    return this.recovery;
  }
}

function mergePermissions(
  previous: PluginPermissions | undefined,
  requested: PluginPermissions,
  approved: boolean,
): PluginPermissions {
  // Without a new approval the request lies within what was accepted before, which stays the record.
  if (previous === undefined || approved) return requested;
  return previous;
}

async function copyPluginFolder(source: string, destination: string): Promise<void> {
  await cp(source, destination, {
    recursive: true,
    errorOnExist: true,
    force: false,
    filter: async (path) => {
      const info = await lstat(path);
      if (info.isSymbolicLink() || !(info.isFile() || info.isDirectory())) {
        throw new PluginError(
          'ARCHIVE_UNSAFE',
          `${path} is a link or a special file; plugins hold regular files only`,
          {
            details: { path },
          },
        );
      }
      return true;
    },
  });
}
