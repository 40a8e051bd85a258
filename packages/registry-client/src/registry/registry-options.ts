import type {
  PluginConfig,
  PluginPermissions,
  PluginRevocation,
  PluginValidatorLike,
  RiskLevel,
} from '@agentplug/models';
import type { ExtractionLimits } from '../archive/extract-archive';
import type { FetchFunction } from '../network/fetch-bytes';
import type { IndexPluginEntry, IndexVersionEntry } from '../protocol/marketplace-index';
import type { TrustedKey } from '../protocol/signing-keys';
import type { RestoreChanges } from './restore-from-lock-file';

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
  /**
   * The marketplace's public keys (base64 SPKI DER or PEM). They pin its protocol v2 root:
   * `v2/root/1.json` is accepted only when a threshold of its root signatures are by these keys,
   * and later roots are reached by its rotation chain.
   */
  trustedKeys?: readonly TrustedKey[];
  /**
   * The marketplace's protocol v2 root document (`v2/root/1.json` or a later one, obtained safely),
   * as the trust anchor instead of `trustedKeys`.
   */
  trustedRoot?: Uint8Array | string;
  /** The host runtime's version: incompatible plugin versions are never chosen. */
  runtimeVersion?: string;
  /** Downloads and the verified metadata with its last-seen versions live here. Default: the per-OS cache folder of `getUserDirectories` (`$XDG_CACHE_HOME/agentplug` or `~/.cache/agentplug` on Linux, `~/Library/Caches/agentplug` on macOS, `%LOCALAPPDATA%\agentplug\Cache` on Windows). */
  cacheDirectory?: string;
  /** fetch to use. Default the global fetch. */
  fetch?: FetchFunction;
  /** Most milliseconds until response headers (connect included). Default 10,000. */
  requestTimeoutMs?: number;
  /** Most milliseconds a response body may stall. Default 15,000. */
  stallTimeoutMs?: number;
  /**
   * Most milliseconds one request may take from start to last byte, retries included: a metadata
   * file, an archive, a search answer. Ends a server that trickles bytes just fast enough to dodge the stall timer. Default 300,000.
   */
  totalTimeoutMs?: number;
  /** Retries on network errors, timeouts and 5xx. Default 2. */
  retries?: number;
  /** First retry delay, doubling. Default 250. */
  retryDelayMs?: number;
  /** How long verified metadata (timestamp and snapshot) is reused before it is refreshed. Default 30,000 ms. */
  indexMaxAgeMs?: number;
  /** Caps applied when extracting archives. */
  extractionLimits?: ExtractionLimits;
  /** The clock used for expiry checks (tests). */
  now?: () => Date;
  /**
   * Where the operator's configuration of each plugin lives (`<id>.json`). Default
   * `<pluginDirectory>/agentplug-config`, beside the lock file, where the loader looks by default.
   */
  operatorConfigDirectory?: string;
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

/** One plugin an install brings, as the user is asked to accept it. */
export interface InstallPlanStep {
  pluginId: string;
  version: string;
  /** `install`: not installed yet; `update`: another version is installed; `unchanged`: this version is. */
  action: 'install' | 'update' | 'unchanged';
  /** The plugin asked for (false: a dependency it needs). */
  requested: boolean;
  installedVersion: string | undefined;
  /** What this version may do, from the signed index (the archive must say the same, or nothing installs). */
  permissions: PluginPermissions;
  /** What the lock file records as accepted for the installed version, if any. */
  acceptedPermissions: PluginPermissions | undefined;
  /** Permissions beyond `acceptedPermissions`, per kind (all of them for a first install). */
  newPermissions: Record<string, string[]>;
  /** Permissions accepted before that this version asks for again, per kind. */
  keptPermissions: Record<string, string[]>;
  /** Permissions accepted before that this version no longer asks for, per kind. */
  droppedPermissions: Record<string, string[]>;
  /**
   * Whether this step widens what the operator has granted, so it needs `approvePermissions` (or a
   * confirmation answering `{ approvePermissions: true }`): new permissions for a plugin already
   * installed, or, in an update, any permission of a plugin the update brings in.
   */
  widens: boolean;
  /** From the signed index; undefined for a version kept as installed that the index does not list. */
  securityScore: number | undefined;
  riskLevel: RiskLevel | undefined;
}

/** What {@link PluginRegistry.install} would do: every plugin, dependencies first, the requested one last. */
export interface InstallPlan {
  pluginId: string;
  version: string;
  steps: InstallPlanStep[];
  /** Whether any step widens granted permissions (see {@link InstallPlanStep.widens}). */
  widens: boolean;
  /** The resolver's warnings. */
  warnings: string[];
}

/** Options of {@link PluginRegistry.planInstall}. */
export interface PlanInstallOptions {
  /**
   * Version range for the plugin, e.g. `^1.2.0`: the newest version inside it is chosen, and the
   * lock file records it (`update` stays inside). Default any, recorded as `^<chosen version>`.
   */
  range?: string;
  /** This exact version instead of the newest in `range` (`range` is still what the lock file records). */
  version?: string;
  /**
   * Plan an update: a plugin the update newly brings in widens the granted permissions too (in an
   * install the operator named what comes in). Default false.
   */
  update?: boolean;
}

/**
 * The answer to {@link InstallOptions.confirm}: `false` declines; `true` accepts the plan but no
 * widening of permissions; `{ approvePermissions: true }` accepts it with the permissions it widens.
 */
export type InstallConfirmation = boolean | { approvePermissions: boolean };

/** Options of {@link PluginRegistry.install}. */
export interface InstallOptions extends PlanInstallOptions {
  /**
   * Accept a plan that widens granted permissions (see {@link InstallPlanStep.widens}). Without it
   * (or a confirmation approving them) such a plan fails with PERMISSIONS_ESCALATED before anything
   * downloads or changes.
   */
  approvePermissions?: boolean;
  validate?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Asked once with the whole plan (every plugin with its permissions, new, kept and dropped,
   * dependencies included) after resolution and before any download; `false` ends the install with
   * DECLINED and nothing changed. `true` accepts what does not widen granted permissions;
   * `{ approvePermissions: true }` also what does (see {@link InstallConfirmation}).
   */
  confirm?: (plan: InstallPlan) => InstallConfirmation | Promise<InstallConfirmation>;
}

/** Options of {@link PluginRegistry.installLocal}. */
export interface LocalInstallOptions {
  /** Accept widened permissions (a plugin installed before asking for more); see {@link InstallOptions.approvePermissions}. */
  approvePermissions?: boolean;
  /** Validate the staged copy before asking. Default true. */
  validate?: boolean;
  /** Asked once with the plan before anything changes; see {@link InstallOptions.confirm}. */
  confirm?: (plan: InstallPlan) => InstallConfirmation | Promise<InstallConfirmation>;
}

/** Options of {@link PluginRegistry.installFromLockFile}. */
export interface RestoreOptions {
  /** Validate what installs (marketplace downloads in the cache, local sources when staged). Default true. */
  validate?: boolean;
  onProgress?: (progress: DownloadProgress) => void;
  /**
   * Asked, once everything is verified and staged, before any folder is replaced or removed (a
   * restore that only creates folders does not ask); `false` ends it with DECLINED, nothing changed.
   */
  confirm?: (changes: RestoreChanges) => boolean | Promise<boolean>;
}

/** The configuration an installed plugin runs with, and the operator's part of it. */
export interface InstalledConfig {
  pluginId: string;
  version: string;
  /** The operator's file (it may not exist yet). */
  operatorConfigPath: string;
  /** What the operator's file says, if it exists. */
  operator: Record<string, unknown> | undefined;
  /** config_schema defaults, then the shipped config.json, then the operator's file, checked. */
  effective: PluginConfig;
}

/** What {@link PluginRegistry.install} did. */
export interface InstallResult {
  pluginId: string;
  version: string;
  /** Installed now, dependencies first. */
  installed: { pluginId: string; version: string }[];
  /** Already installed at the resolved version. */
  unchanged: { pluginId: string; version: string }[];
  /**
   * Kept plugins whose lock file entry was brought up to date: the range asked for, or the key the
   * marketplace now vouches for exactly the locked bytes with (after a key change).
   */
  relocked: { pluginId: string; version: string }[];
  warnings: string[];
  /** The plan that was carried out (what `confirm` was shown). */
  plan: InstallPlan;
}

/** An available update, as the seed returns it, with the range it stays in. */
export interface PluginUpdate {
  pluginId: string;
  currentVersion: string;
  /** The newest version inside `range` (and every installed plugin's constraint on it). */
  availableVersion: string;
  /** The lock file's range for the plugin (`*` with `latest`). */
  range: string;
}

/** Options of {@link PluginRegistry.checkUpdates}. */
export interface CheckUpdatesOptions {
  /** Look past the ranges the lock file records (installed plugins' constraints still bound it). Default false. */
  latest?: boolean;
}

/** A newer version outside the recorded range, which `update` leaves alone unless told `latest`. */
export interface HeldBackUpdate {
  pluginId: string;
  currentVersion: string;
  latestVersion: string;
  range: string;
}

/** Everything the signed metadata says about one plugin, plus what is installed. */
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

/** Options of {@link PluginRegistry.uninstallPlugin}. */
export interface UninstallOptions {
  /** Uninstall even when other installed plugins require this one. */
  force?: boolean;
}

/** An installed plugin version the marketplace has revoked: `PluginRevocation` of @agentplug/models. */
export type RevokedPlugin = PluginRevocation;
