// Re-exported so a marketplace operator needs one package: the packer is the client's (one archive
// format, written in one place), the keys are the protocol's.
export { type PackPluginOptions, type PackPluginResult, packPlugin } from '@agentplug/registry-client';
export {
  generateSigningKeyPair,
  type SigningKey,
  type SigningKeyPair,
  type TrustedKey,
} from '@agentplug/registry-client/protocol';
export {
  type OpenPublisherDirectoryOptions,
  openPublisherDirectory,
  operatorActor,
} from './command/open-operator-directory';
export {
  defaultKeyFileFor,
  loadOrCreateKeyFile,
  type RunMarketplaceServerOptions,
  type RunningMarketplace,
  runMarketplaceServer,
} from './command/run-marketplace-server';
export {
  createMarketplaceServer,
  type MarketplaceServer,
  type MarketplaceServerOptions,
  type PublishResult,
} from './create-marketplace-server';
export {
  type ArchiveInspection,
  type InspectArchiveOptions,
  inspectArchive,
} from './publish/inspect-archive';
export { enforceRiskPolicy, type RiskPolicy } from './publish/risk-policy';
export { TOKEN_SCOPES, type TokenScope } from './publishers/api-token';
export {
  type Actor,
  type AuditEntry,
  type CreateTokenOptions,
  createPublisherDirectory,
  type Principal,
  type PublisherDirectory,
  type PublisherSummary,
} from './publishers/publisher-directory';
export type { MetadataServiceOptions, RevocationInput } from './service/marketplace-service';
export { type CommandSignerOptions, createCommandSigner } from './signing/command-signer';
export { createKeySigner, type MarketplaceSigner } from './signing/marketplace-signer';
export {
  DEFAULT_SCHEMA,
  type MigrateDatabaseOptions,
  type MigrateDatabaseResult,
  migrateDatabase,
} from './sql/migrate';
export { MIGRATIONS, type Migration } from './sql/migrations';
export { type OpenPgliteDatabaseOptions, openPgliteDatabase } from './sql/open-pglite-database';
export { type OpenPostgresDatabaseOptions, openPostgresDatabase } from './sql/open-postgres-database';
export type { SqlDatabase, SqlEngine, SqlQuery } from './sql/sql-database';
export {
  type BuildStaticMarketplaceOptions,
  type BuildStaticMarketplaceResult,
  buildStaticMarketplace,
} from './static/build-static-marketplace';
export type { MarketplaceDatabaseOptions } from './store/open-marketplace-store';
