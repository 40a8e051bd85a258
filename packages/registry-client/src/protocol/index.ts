/**
 * `@agentplug/registry-client/protocol`: the marketplace wire format both ends share (PROTOCOL.md in
 * `@agentplug/marketplace`): catalog entry types, paths, canonical JSON, signing and verification,
 * signing keys, the search rule and the server's API shapes. It needs no validator, no archive code
 * and no install machinery, so a marketplace server depends on this entry and not on the client.
 */
export { canonicalizeJson } from './canonicalize-json';
export {
  type CheckResult,
  checkRootBody,
  checkSnapshotBody,
  checkTargetsBody,
  checkTimestampBody,
  checkTreeNode,
  MAX_METADATA_BYTES,
} from './check-metadata';
export {
  type MarketplaceErrorAnswer,
  PLUGINS_PATH,
  type PublishArchiveResult,
  SEARCH_PATH,
} from './marketplace-api';
export {
  ARCHIVES_PATH,
  formatArchiveName,
  INDEX_TYPE,
  type IndexPluginEntry,
  type IndexVersionEntry,
  readArchiveName,
  type SignedIndexBody,
} from './marketplace-index';
export {
  type CreateRootMetadataOptions,
  createRootMetadata,
  DEFAULT_METADATA_LIFETIMES,
  type MetadataLifetimes,
  MetadataRepository,
  type MetadataRepositoryOptions,
  type MetadataSigners,
  type TargetsContent,
} from './metadata-repository';
export { MetadataTree, TREE_BUCKET_SIZE } from './metadata-tree';
export {
  formatRootPath,
  formatSnapshotPath,
  formatTargetsPath,
  formatTreeNodePath,
  hashPluginId,
  isMetadataPath,
  METADATA_PATH,
  METADATA_PROTOCOL_VERSION,
  type MetadataFile,
  type MetadataSignature,
  type MetaReference,
  type Revocation,
  ROLE_NAMES,
  type RoleKeys,
  type RoleName,
  type RootBody,
  type RootKey,
  type SignedMetadata,
  type SnapshotBody,
  type TargetsBody,
  type TargetsPluginInfo,
  type TargetsVersionEntry,
  TIMESTAMP_PATH,
  type TimestampBody,
  type TreeEntry,
  type TreeNode,
} from './metadata-types';
export {
  createSearchFile,
  MAX_SEARCH_FILE_BYTES,
  rankSearchFile,
  readSearchFile,
  SEARCH_FILE_PATH,
  SEARCH_FILE_TYPE,
  type SearchFileEntry,
} from './search-file';
export {
  MAX_SEARCH_QUERY_LENGTH,
  MAX_SEARCH_TAGS,
  MAX_SEARCH_WORDS,
  type RankedPlugin,
  rankIndex,
  readSearchTerms,
  type SearchIndexOptions,
  type SearchQuery,
  searchIndex,
  toMarketplaceInfo,
} from './search-index';
export {
  countRoleSignatures,
  MAX_METADATA_SIGNATURES,
  type MetadataEnvelope,
  readEnvelope,
  resolveSigners,
  serializeMetadata,
  signMetadata,
} from './sign-metadata';
export {
  generateSigningKeyPair,
  type ResolvedPrivateKey,
  type ResolvedPublicKey,
  resolvePrivateKey,
  resolvePublicKey,
  type SigningKey,
  type SigningKeyPair,
  type TrustedKey,
} from './signing-keys';
export {
  openStoredMetadata,
  type ReadStoredMetadata,
  readStoredTimestamp,
  type StoredMetadataState,
} from './stored-metadata';
export {
  checkRootFresh,
  MAX_ROOT_BYTES,
  MAX_TIMESTAMP_BYTES,
  sameRoleKeys,
  type TrustedTimestampState,
  type VerifiedRoot,
  type VerifiedTimestamp,
  verifyNextRoot,
  verifyPinnedRoot,
  verifySnapshot,
  verifyTargets,
  verifyTimestamp,
  verifyTreeNode,
  verifyTrustedRoot,
} from './verify-metadata';
