export {
  type ArchiveFile,
  type ExtractArchiveResult,
  type ExtractionLimits,
  extractArchive,
  readArchiveFiles,
  writeArchiveFiles,
} from './archive/extract-archive';
export {
  BUILD_IGNORE_PATTERNS,
  DEFAULT_IGNORE_PATTERNS,
  IGNORE_FILE_NAME,
} from './archive/ignore-rules';
export {
  type ListPluginFilesOptions,
  type ListPluginFilesResult,
  listPluginFiles,
  type PluginFileEntry,
} from './archive/list-plugin-files';
export { type PackPluginOptions, type PackPluginResult, packPlugin } from './archive/pack-plugin';
export { type SecretMatch, scanForSecrets } from './archive/scan-secrets';
export type { FetchFunction, NetworkOptions } from './network/fetch-bytes';
export { type PublisherOptions, publishArchive, yankVersion } from './network/publish-archive';
// The wire format lives in '@agentplug/registry-client/protocol'; here only the types the client's API names.
export type { PublishArchiveResult } from './protocol/marketplace-api';
export type { IndexPluginEntry, IndexVersionEntry, SignedIndexBody } from './protocol/marketplace-index';
export type { SearchQuery } from './protocol/search-index';
export type { TrustedKey } from './protocol/signing-keys';
export { LOCK_FILE_NAME, LOCK_FILE_VERSION, type LockFile, type LockFileEntry } from './registry/lock-file';
export { PluginRegistry } from './registry/plugin-registry';
export type {
  CheckUpdatesOptions,
  DownloadPluginOptions,
  DownloadProgress,
  HeldBackUpdate,
  InstallConfirmation,
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
} from './registry/registry-options';
export type { RestoreChanges, RestoreResult } from './registry/restore-from-lock-file';
export {
  MAX_ROOT_ROTATIONS,
  type MetadataTraffic,
  type MetadataView,
  TrustedMetadata,
  type TrustedMetadataOptions,
} from './registry/trusted-metadata';
export { writeFileAtomic } from './registry/write-file-atomic';
