import { join, resolve } from 'node:path';
import {
  getOperatorConfigPath,
  getUserDirectories,
  isValidPluginId,
  type PluginConfigOverride,
  PluginError,
  type PluginMarketplaceInfo,
  type PluginMetadata,
  type PluginValidatorLike,
} from '@agentplug/models';
import { PluginValidator } from '@agentplug/validator';
import type { ExtractionLimits } from '../archive/extract-archive';
import type { NetworkOptions } from '../network/fetch-bytes';
import type { IndexVersionEntry, SignedIndexBody } from '../protocol/marketplace-index';
import type { SearchQuery } from '../protocol/search-index';
import { isRuntimeCompatible, pickLatestVersion, sortVersionsDescending } from '../protocol/version-rules';
import { readExtractedManifest, validatePluginFolder } from './check-plugin-folder';
import { chooseVersion } from './choose-version';
import { obtainConsent } from './consent';
import { type DownloadRecord, downloadVersion } from './download-plugin';
import { installFromPath, type LockDetails } from './install-plugin';
import { readInstalledConfig, writeInstalledConfig } from './installed-config';
import type { LockFile } from './lock-file';
import { loadMetadataIndex, revocationOf } from './metadata-index';
import { planOperatorConfig } from './operator-config';
import { describeSteps, resolveInstall } from './plan-install';
import { planLocalInstall, stageLocalPlugin } from './plan-local-install';
import { PluginDirectory } from './plugin-directory';
import { findInstalledRevocations, writeRevocationRecord } from './record-revocations';
import type {
  CheckUpdatesOptions,
  DownloadPluginOptions,
  DownloadProgress,
  HeldBackUpdate,
  InstalledConfig,
  InstallOptions,
  InstallPlan,
  InstallPlanStep,
  InstallPluginOptions,
  InstallResult,
  LocalInstallOptions,
  PlanInstallOptions,
  PluginInfo,
  PluginRegistryOptions,
  PluginUpdate,
  RestoreOptions,
  RevokedPlugin,
  UninstallOptions,
} from './registry-options';
import { relockKeptPlugins } from './relock-kept-plugins';
import { type RestoreResult, restoreFromLockFile } from './restore-from-lock-file';
import { scanUpdates } from './scan-updates';
import { searchThroughMetadata } from './search-metadata';
import { type MetadataView, TrustedMetadata } from './trusted-metadata';

function checkPluginId(pluginId: string): void {
  if (typeof pluginId !== 'string' || !isValidPluginId(pluginId)) {
    throw new PluginError('INVALID_ARGUMENT', `"${pluginId}" is not a reverse-DNS plugin id`, {
      details: { pluginId },
    });
  }
}

/**
 * Searches a marketplace and installs plugins into a plugin directory: protocol v2 signed metadata
 * (root, timestamp, snapshot, per-plugin targets: thresholds, expiry, no rollback or mixing),
 * size-capped and sha256-checked downloads, safe extraction, validation, and atomic installs
 * recorded in `agentplug-lock.json`. A facade over the trusted metadata, the search, the download
 * and the {@link PluginDirectory} transaction.
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
  /** Where the operator's configuration lives: `<pluginDirectory>/agentplug-config` unless set. */
  readonly operatorConfigDirectory: string;
  private readonly validator: PluginValidatorLike;
  private readonly network: NetworkOptions;
  private readonly extractionLimits: ExtractionLimits;
  private readonly now: () => Date;
  private readonly downloads = new Map<string, DownloadRecord>();
  /** The protocol v2 client, when a trust anchor (`trustedRoot` or `trustedKeys`) is configured. */
  private readonly metadata: TrustedMetadata | undefined;
  private readonly metadataMaxAgeMs: number;
  private metadataRefreshedAt = Number.NEGATIVE_INFINITY;
  private readonly directory: PluginDirectory;
  private closed = false;

  constructor(options: PluginRegistryOptions) {
    if (typeof options?.pluginDirectory !== 'string' || options.pluginDirectory === '') {
      throw new PluginError('INVALID_ARGUMENT', 'pluginDirectory is required');
    }
    this.pluginDirectory = resolve(options.pluginDirectory);
    this.cacheDirectory = resolve(options.cacheDirectory ?? getUserDirectories().cache);
    this.operatorConfigDirectory = resolve(
      options.operatorConfigDirectory ?? join(this.pluginDirectory, 'agentplug-config'),
    );
    this.marketplaceUrl =
      options.marketplaceUrl === undefined
        ? undefined
        : options.marketplaceUrl.endsWith('/')
          ? options.marketplaceUrl
          : `${options.marketplaceUrl}/`;
    this.enableMarketplace = options.enableMarketplace ?? this.marketplaceUrl !== undefined;
    this.runtimeVersion = options.runtimeVersion;
    this.validator = options.validator ?? new PluginValidator();
    this.network = {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      stallTimeoutMs: options.stallTimeoutMs ?? 15_000,
      totalTimeoutMs: options.totalTimeoutMs ?? 300_000,
      retries: options.retries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 250,
    };
    this.extractionLimits = options.extractionLimits ?? {};
    this.now = options.now ?? (() => new Date());
    this.directory = new PluginDirectory(this.pluginDirectory, {
      operatorConfigPath: (pluginId) => this.getOperatorConfigPath(pluginId),
      operatorConfigDirectory: this.operatorConfigDirectory,
      cacheDirectory: this.cacheDirectory,
    });
    this.metadataMaxAgeMs = options.indexMaxAgeMs ?? 30_000;
    const pinnedKeys = options.trustedKeys ?? [];
    this.metadata =
      this.marketplaceUrl === undefined || (options.trustedRoot === undefined && pinnedKeys.length === 0)
        ? undefined
        : new TrustedMetadata({
            marketplaceUrl: this.marketplaceUrl,
            trustedRoot: options.trustedRoot,
            pinnedKeys: options.trustedRoot === undefined ? pinnedKeys : undefined,
            network: this.network,
            cacheDirectory: this.cacheDirectory,
            now: this.now,
          });
  }

  /**
   * What the signed metadata says about `pluginIds` and their dependencies (only those plugins'
   * targets are fetched), as a catalog body.
   */
  private async signedIndexFor(pluginIds: readonly string[]): Promise<SignedIndexBody> {
    const metadata = await this.freshMetadata();
    return loadMetadataIndex(metadata, pluginIds);
  }

  /**
   * The key id the lock file records for what installs: the first targets key of the current root
   * (the one signing key of a default marketplace).
   */
  private signingKeyId(): string | undefined {
    return this.metadata?.current?.root.body.roles.targets.keyids[0];
  }

  /** The v2 client, refreshed unless it was less than `indexMaxAgeMs` ago. */
  private async freshMetadata(options: { force?: boolean } = {}): Promise<TrustedMetadata> {
    this.requireMarketplaceUrl();
    const metadata = this.metadata;
    if (metadata === undefined) {
      throw new PluginError(
        'INVALID_ARGUMENT',
        'no trust anchor for the marketplace: pass trustedKeys (its public keys) or trustedRoot (its v2 root document)',
      );
    }
    if (options.force === true || Date.now() - this.metadataRefreshedAt >= this.metadataMaxAgeMs) {
      await metadata.refresh();
      this.metadataRefreshedAt = Date.now();
    }
    return metadata;
  }

  /**
   * Brings the marketplace's signed metadata up to date (root rotations, timestamp, snapshot), or
   * reuses what was verified less than `indexMaxAgeMs` ago unless `force` is set; a marketplace
   * that has not changed costs one conditional request answered 304.
   * @throws PluginError MARKETPLACE_DISABLED, INVALID_ARGUMENT (no trust anchor), SIGNATURE_INVALID, INDEX_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED, INTEGRITY_MISMATCH, INCOMPATIBLE, NETWORK_ERROR, TIMEOUT, TOO_LARGE
   */
  async refreshMetadata(options: { force?: boolean } = {}): Promise<MetadataView> {
    const metadata = await this.freshMetadata(options);
    return metadata.current ?? metadata.refresh();
  }

  /**
   * Installed plugins whose installed version the marketplace has revoked, with its reason and
   * severity, from verified v2 metadata; recorded in the plugin directory's
   * `agentplug-revocations.json`, where `PluginLoader` reads it (critical ones are refused at load).
   * @throws PluginError MARKETPLACE_DISABLED, and the metadata errors
   */
  async checkRevocations(): Promise<RevokedPlugin[]> {
    const installed = await this.listInstalledPlugins();
    const body = await this.signedIndexFor(installed.map((manifest) => manifest.plugin_id));
    return this.recordRevocations(installed, body);
  }

  private async recordRevocations(
    installed: readonly PluginMetadata[],
    body: SignedIndexBody,
  ): Promise<RevokedPlugin[]> {
    const revoked = findInstalledRevocations(installed, body);
    await writeRevocationRecord(this.pluginDirectory, revoked, this.now());
    return revoked;
  }

  /**
   * Where the operator's configuration of a plugin lives (a config.json document; see
   * {@link PluginRegistry.readInstalledConfig}); the loader reads the same file.
   * @throws PluginError INVALID_ARGUMENT for an id that is not a plugin id
   */
  getOperatorConfigPath(pluginId: string): string {
    return getOperatorConfigPath(pluginId, { operatorConfigDirectory: this.operatorConfigDirectory });
  }

  /**
   * Searches the marketplace: ranked by the search endpoint its signed snapshot names, or on a static
   * host by its search file (`v2/search.json`), every result read from the signed v2 targets of the
   * plugins ranked first; the unsigned ranking can reorder results, never change what they say.
   * @throws PluginError MARKETPLACE_DISABLED, NOT_FOUND (no search endpoint and no search file), NETWORK_ERROR, TIMEOUT, SIGNATURE_INVALID, INDEX_EXPIRED, ROLLBACK_DETECTED
   */
  async searchMarketplace(search: SearchQuery = {}): Promise<PluginMarketplaceInfo[]> {
    const metadata = await this.freshMetadata();
    return searchThroughMetadata(metadata, search, {
      marketplaceUrl: this.requireMarketplaceUrl(),
      network: this.network,
      runtimeVersion: this.runtimeVersion,
    });
  }

  /**
   * Everything the signed metadata says about a plugin: every version (newest first) with its
   * permissions, dependencies, security score and yanked flag, and the installed version.
   * @throws PluginError NOT_FOUND, MARKETPLACE_DISABLED, and the metadata errors of {@link PluginRegistry.refreshMetadata}
   */
  async getPluginInfo(pluginId: string): Promise<PluginInfo> {
    checkPluginId(pluginId);
    const body = await this.signedIndexFor([pluginId]);
    const entry = body.plugins[pluginId];
    if (entry === undefined)
      throw new PluginError('NOT_FOUND', `the marketplace has no plugin ${pluginId}`, {
        details: { pluginId },
      });
    const latest = pickLatestVersion(entry.versions, { runtimeVersion: this.runtimeVersion });
    const installed = await this.directory.readInstalledManifest(pluginId);
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

  /**
   * Downloads a plugin version into the cache, verifies it (size cap, sha256), extracts it safely,
   * checks its plugin.json names that id and version, and validates it. Nothing touches the plugin directory.
   * @returns the folder of the verified plugin, to pass to {@link PluginRegistry.installPlugin}
   * @throws PluginError NOT_FOUND, INCOMPATIBLE, TOO_LARGE, INTEGRITY_MISMATCH, ARCHIVE_UNSAFE, TIMEOUT, NETWORK_ERROR, VALIDATION_FAILED, and the metadata errors
   */
  async downloadPlugin(pluginId: string, options: DownloadPluginOptions = {}): Promise<string> {
    checkPluginId(pluginId);
    const validate = options.validate ?? true;
    const body = await this.signedIndexFor([pluginId]);
    const versionEntry = chooseVersion(pluginId, body.plugins[pluginId], {
      version: options.version,
      runtimeVersion: this.runtimeVersion,
    });
    return this.downloadVersion(pluginId, versionEntry, { validate, onProgress: options.onProgress });
  }

  private async downloadVersion(
    pluginId: string,
    versionEntry: IndexVersionEntry,
    options: { validate: boolean; onProgress?: (progress: DownloadProgress) => void },
  ): Promise<string> {
    const { path } = await this.downloadWithRecord(pluginId, versionEntry, options);
    return path;
  }

  private async downloadWithRecord(
    pluginId: string,
    versionEntry: IndexVersionEntry,
    options: { validate: boolean; onProgress?: (progress: DownloadProgress) => void },
  ): Promise<{ path: string; record: DownloadRecord }> {
    const revocation = revocationOf(versionEntry);
    if (revocation !== undefined) {
      throw new PluginError(
        'PLUGIN_REVOKED',
        `${pluginId} ${versionEntry.version} was revoked by the marketplace (${revocation.severity}): ${revocation.reason}`,
        { details: { pluginId, version: versionEntry.version, ...revocation } },
      );
    }
    const { path, record } = await downloadVersion(pluginId, versionEntry, {
      marketplaceUrl: this.requireMarketplaceUrl(),
      keyId: this.signingKeyId() ?? null,
      network: this.network,
      cacheDirectory: this.cacheDirectory,
      extractionLimits: this.extractionLimits,
      validator: this.validator,
      validate: options.validate,
      onProgress: options.onProgress,
    });
    this.downloads.set(path, record);
    return { path, record };
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
    await this.installWithDetails(pluginId, downloadPath, options);
  }

  private async installWithDetails(
    pluginId: string,
    downloadPath: string,
    options: InstallPluginOptions & {
      lock?: LockDetails;
      origin?: { source: string; sha256: string; size: number };
    },
  ): Promise<void> {
    await installFromPath(pluginId, downloadPath, options, {
      operatorConfigPath: (id) => this.getOperatorConfigPath(id),
      directory: this.directory,
      validator: this.validator,
      runtimeVersion: this.runtimeVersion,
      extractionLimits: this.extractionLimits,
      now: this.now,
      findDownload: (path) => this.downloads.get(path),
    });
  }

  /**
   * What {@link PluginRegistry.install} would do, without doing it: the version chosen, every
   * dependency it needs, and for each plugin its permissions (from the signed targets) and what is new
   * compared with what was accepted before.
   * @throws PluginError DEPENDENCY_UNRESOLVED, NOT_FOUND, INCOMPATIBLE, and the metadata errors
   */
  async planInstall(pluginId: string, options: PlanInstallOptions = {}): Promise<InstallPlan> {
    checkPluginId(pluginId);
    return (await this.resolvePlan(pluginId, options)).plan;
  }

  private async resolvePlan(
    pluginId: string,
    options: PlanInstallOptions,
  ): Promise<{ body: SignedIndexBody; plan: InstallPlan }> {
    const body = await this.signedIndexFor([pluginId]);
    const rootEntry = chooseVersion(pluginId, body.plugins[pluginId], {
      version: options.version,
      range: options.version === undefined ? options.range : undefined,
      runtimeVersion: this.runtimeVersion,
    });
    const installed = new Map(
      (await this.listInstalledPlugins()).map((manifest) => [manifest.plugin_id, manifest]),
    );
    const lockFile = await this.directory.readLockFile();
    const resolved = await resolveInstall(
      body,
      { pluginId, entry: rootEntry },
      { installed, runtimeVersion: this.runtimeVersion },
    );
    const steps = describeSteps(body, resolved, {
      pluginId,
      installed,
      lockFile,
      update: options.update === true,
    });
    return {
      body,
      plan: {
        pluginId,
        version: rootEntry.version,
        steps,
        widens: steps.some((step) => step.widens),
        warnings: resolved.warnings,
      },
    };
  }

  /**
   * Downloads, verifies, validates and installs a plugin with the dependencies it needs, resolved
   * with @agentplug/version against the marketplace and what is installed. Dependencies install first.
   * With `confirm`, the whole plan (every plugin and its permissions) is shown once before anything
   * downloads; each archive's plugin.json must then declare exactly the permissions shown. Every
   * archive is verified before the first one is swapped in, so a failed check installs nothing.
   * A plugin kept at its installed version has its lock file entry brought up to date (see
   * `relocked`): the range asked for, and the key the marketplace now vouches for the locked bytes with.
   * @throws PluginError DECLINED (confirm said no), DEPENDENCY_UNRESOLVED (with the resolver's explanation), and the errors of downloadPlugin and installPlugin
   */
  async install(pluginId: string, options: InstallOptions = {}): Promise<InstallResult> {
    checkPluginId(pluginId);
    const validate = options.validate ?? true;
    const { body, plan } = await this.resolvePlan(pluginId, options);
    const approvePermissions = await obtainConsent(plan, {
      approvePermissions: options.approvePermissions,
      confirm: options.confirm,
      action: options.update === true ? 'updating' : 'installing',
    });
    const result: InstallResult = {
      pluginId,
      version: plan.version,
      installed: [],
      unchanged: [],
      relocked: [],
      warnings: [...plan.warnings],
      plan,
    };
    // Every archive is downloaded and verified, and the operator's configuration checked against
    // each new version, before the first swap: a failed check changes nothing.
    const downloads: { step: InstallPlanStep; path: string }[] = [];
    for (const step of plan.steps) {
      if (step.action === 'unchanged') {
        result.unchanged.push({ pluginId: step.pluginId, version: step.version });
        continue;
      }
      const entry = body.plugins[step.pluginId]?.versions[step.version] as IndexVersionEntry;
      const path = await this.downloadVersion(step.pluginId, entry, {
        validate,
        onProgress: options.onProgress,
      });
      downloads.push({ step, path });
    }
    const lockFile = await this.directory.readLockFile();
    for (const { step, path } of downloads) {
      await planOperatorConfig({
        pluginId: step.pluginId,
        manifest: await readExtractedManifest(path),
        stagedFolder: path,
        installedFolder: join(this.pluginDirectory, step.pluginId),
        previous: lockFile.plugins[step.pluginId],
        operatorConfigPath: this.getOperatorConfigPath(step.pluginId),
      });
    }
    for (const { step, path } of downloads) {
      // An update keeps what the lock file says about why a plugin is there (a dependency stays one).
      const lock: LockDetails = step.requested
        ? {
            requested: options.update === true ? undefined : true,
            range: options.range ?? `^${step.version}`,
          }
        : { requested: false };
      await this.installWithDetails(step.pluginId, path, { approvePermissions, validate, lock });
      result.installed.push({ pluginId: step.pluginId, version: step.version });
    }
    const relocked = await relockKeptPlugins({
      directory: this.directory,
      steps: plan.steps,
      body,
      keyId: this.signingKeyId(),
      marketplaceUrl: this.requireMarketplaceUrl(),
      range: options.version === undefined ? options.range : undefined,
    });
    result.relocked = result.unchanged.filter((kept) => relocked.includes(kept.pluginId));
    return result;
  }

  /**
   * Installs a plugin from a local `.tgz` or plugin folder exactly as from a marketplace: copied into
   * staging, extracted with the same strict rules, validated, shown (`confirm` gets the plan, with its
   * permissions new, kept and dropped and the security score) and installed atomically. The lock file
   * records it as `file:<absolute path>` with the archive's (or the folder's pack's) sha256 and size,
   * its range the exact version. Its required dependencies must already be installed.
   * @throws PluginError INVALID_ARGUMENT, ARCHIVE_UNSAFE, MANIFEST_*, DEPENDENCY_UNRESOLVED, VALIDATION_FAILED, DECLINED, PERMISSIONS_ESCALATED, CONFIG_INVALID, and the errors of installPlugin
   */
  async installLocal(path: string, options: LocalInstallOptions = {}): Promise<InstallResult> {
    await this.directory.ensureRecovered();
    const staged = await stageLocalPlugin(resolve(path), {
      directory: this.directory,
      extractionLimits: this.extractionLimits,
    });
    try {
      const { manifest } = staged;
      let validation: { securityScore: number; riskLevel: InstallPlanStep['riskLevel'] } | undefined;
      if (options.validate ?? true) {
        const report = await validatePluginFolder(this.validator, staged.folder, manifest);
        validation = { securityScore: report.securityScore, riskLevel: report.riskLevel };
      }
      const installed = new Map(
        (await this.listInstalledPlugins()).map((installedManifest) => [
          installedManifest.plugin_id,
          installedManifest,
        ]),
      );
      const plan = planLocalInstall(staged, {
        installed,
        lockFile: await this.directory.readLockFile(),
        validation,
      });
      const approvePermissions = await obtainConsent(plan, {
        approvePermissions: options.approvePermissions,
        confirm: options.confirm,
        action: 'installing',
      });
      // The staged copy was validated above; it is what installs.
      await this.installWithDetails(manifest.plugin_id, staged.folder, {
        approvePermissions,
        validate: false,
        lock: { requested: true },
        origin: { source: staged.source, sha256: staged.sha256, size: staged.size },
      });
      return {
        pluginId: manifest.plugin_id,
        version: manifest.version,
        installed: [{ pluginId: manifest.plugin_id, version: manifest.version }],
        unchanged: [],
        relocked: [],
        warnings: [],
        plan,
      };
    } finally {
      await staged.remove();
    }
  }

  /**
   * Makes the plugin directory match its lock file exactly, verified, or changes nothing (what
   * `agentplug install` with no arguments and `agentplug ci` do): see {@link restoreFromLockFile}.
   * @throws PluginError INVALID_ARGUMENT (no lock file), INTEGRITY_MISMATCH, SIGNATURE_INVALID, NOT_FOUND, and the install errors
   */
  async installFromLockFile(options: RestoreOptions = {}): Promise<RestoreResult> {
    return restoreFromLockFile({
      directory: this.directory,
      validator: this.validator,
      extractionLimits: this.extractionLimits,
      validate: options.validate ?? true,
      readSigned: async () => {
        // Only the locked plugins' metadata is read (local installs need none).
        const locked = Object.entries((await this.directory.readLockFile()).plugins)
          .filter(([, entry]) => !entry.source.startsWith('file:'))
          .map(([pluginId]) => pluginId);
        const body = await this.signedIndexFor(locked);
        return { body, keyId: this.signingKeyId() };
      },
      confirm: options.confirm,
      download: (pluginId, entry) =>
        this.downloadWithRecord(pluginId, entry, {
          validate: options.validate ?? true,
          onProgress: options.onProgress,
        }),
    });
  }

  /**
   * The configuration an installed plugin runs with, as the loader resolves it (config_schema
   * defaults, its shipped config.json, the operator's file), with where the operator's file lives.
   * @throws PluginError PLUGIN_NOT_FOUND, CONFIG_INVALID
   */
  async readInstalledConfig(pluginId: string): Promise<InstalledConfig> {
    checkPluginId(pluginId);
    return readInstalledConfig(this.directory, pluginId, this.getOperatorConfigPath(pluginId));
  }

  /**
   * Replaces the operator's configuration of an installed plugin (a config.json document; `undefined`
   * removes it) after checking it against the installed version's config_schema, and returns the
   * configuration the plugin will run with. Written atomically; nothing changes when it is refused.
   * @throws PluginError PLUGIN_NOT_FOUND, CONFIG_INVALID
   */
  async writeOperatorConfig(
    pluginId: string,
    document: PluginConfigOverride | undefined,
  ): Promise<InstalledConfig> {
    checkPluginId(pluginId);
    return writeInstalledConfig(this.directory, pluginId, this.getOperatorConfigPath(pluginId), document);
  }

  /**
   * Removes an installed plugin (its folder and its lock file entry). Refuses while another
   * installed plugin requires it, unless `force` is set.
   * @throws PluginError PLUGIN_NOT_FOUND, DEPENDENTS_INSTALLED, INSTALL_LOCKED, INSTALL_FAILED
   */
  async uninstallPlugin(pluginId: string, options: UninstallOptions = {}): Promise<void> {
    checkPluginId(pluginId);
    await this.directory.ensureRecovered();
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
    await this.directory.remove(pluginId);
  }

  /** The plugins installed in the plugin directory (each folder with a valid plugin.json), sorted by id. */
  async listInstalledPlugins(): Promise<PluginMetadata[]> {
    return this.directory.listInstalled();
  }

  /** The lock file of the plugin directory. */
  async readLockFile(): Promise<LockFile> {
    return this.directory.readLockFile();
  }

  /**
   * Lists installed plugins that have a newer version on the marketplace: non-yanked, compatible with
   * the runtime, satisfying every installed plugin's constraint on it, and inside the range the lock
   * file records for it (`latest: true` looks past that range). Plugins installed from local files
   * are left out: they update by installing a newer file.
   * @throws PluginError MARKETPLACE_DISABLED, and the metadata errors
   */
  async checkUpdates(options: CheckUpdatesOptions = {}): Promise<PluginUpdate[]> {
    return (await this.scanUpdates(options.latest === true)).updates;
  }

  /**
   * Newer versions the recorded ranges hold back (what `checkUpdates({ latest: true })` would add).
   * @throws PluginError MARKETPLACE_DISABLED, and the metadata errors
   */
  async findHeldBackUpdates(): Promise<HeldBackUpdate[]> {
    return (await this.scanUpdates(false)).heldBack;
  }

  private async scanUpdates(
    latest: boolean,
  ): Promise<{ updates: PluginUpdate[]; heldBack: HeldBackUpdate[] }> {
    const installed = await this.listInstalledPlugins();
    const body = await this.signedIndexFor(installed.map((manifest) => manifest.plugin_id));
    const lockFile = await this.directory.readLockFile();
    // The same verified metadata says what is revoked: recorded for the loader at every update check.
    await this.recordRevocations(installed, body);
    return scanUpdates({ installed, body, lockFile, runtimeVersion: this.runtimeVersion, latest });
  }

  /** Releases the registry; later marketplace calls fail with MARKETPLACE_DISABLED. */
  async close(): Promise<void> {
    this.closed = true;
    await this.directory.close();
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
}
