export {
  type ArchiveFile,
  type ArchiveInflater,
  createArchiveInflater,
  DEFAULT_EXTRACTION_LIMITS,
  type ExtractArchiveResult,
  type ExtractionLimits,
  extractArchive,
  readArchiveFiles,
  writeArchiveFiles,
} from './archive/extract-archive';
export { type PackPluginOptions, type PackPluginResult, packPlugin } from './archive/pack-plugin';
export type { FetchFunction } from './network/fetch-bytes';
export { type PublisherOptions, publishArchive, yankVersion } from './network/publish-archive';
export { canonicalizeJson } from './protocol/canonicalize-json';
export { checkIndexBody } from './protocol/check-index-body';
export type { PublishArchiveResult } from './protocol/marketplace-api';
export {
  ARCHIVES_PATH,
  formatArchiveName,
  INDEX_PATH,
  INDEX_TYPE,
  type IndexPluginEntry,
  type IndexSignature,
  type IndexVersionEntry,
  MARKETPLACE_PROTOCOL_VERSION,
  type SignedIndex,
  type SignedIndexBody,
  SignedIndexBodySchema,
} from './protocol/marketplace-index';
export {
  type SearchIndexOptions,
  type SearchQuery,
  searchIndex,
  toMarketplaceInfo,
} from './protocol/search-index';
export {
  serializeSignedIndex,
  signIndex,
  type VerifiedIndex,
  type VerifyIndexOptions,
  verifyIndex,
  verifyIndexDocument,
} from './protocol/sign-index';
export {
  generateSigningKeyPair,
  type ResolvedPrivateKey,
  type ResolvedPublicKey,
  resolvePrivateKey,
  resolvePublicKey,
  type SigningKey,
  type SigningKeyPair,
  type TrustedKey,
} from './protocol/signing-keys';
export { LOCK_FILE_NAME, type LockFile, type LockFileEntry, readLockFile } from './registry/lock-file';
export { findEscalatedPermissions } from './registry/permissions';
export {
  type DownloadPluginOptions,
  type DownloadProgress,
  type InstallOptions,
  type InstallPluginOptions,
  type InstallResult,
  type PluginInfo,
  PluginRegistry,
  type PluginRegistryOptions,
  type PluginUpdate,
  type PluginValidatorLike,
  type UninstallOptions,
} from './registry/plugin-registry';
export { recoverInterruptedInstalls, WORK_FOLDER_NAME } from './registry/recover-installs';
export { writeFileAtomic } from './registry/write-file-atomic';
