export {
  generateSigningKeyPair,
  type PackPluginOptions,
  type PackPluginResult,
  packPlugin,
  type SigningKey,
  type SigningKeyPair,
  type TrustedKey,
} from '@agentplug/registry-client';
export {
  type BuildStaticMarketplaceOptions,
  type BuildStaticMarketplaceResult,
  buildStaticMarketplace,
} from './build-static-marketplace';
export {
  createMarketplaceServer,
  type MarketplaceServer,
  type MarketplaceServerOptions,
  type PublishResult,
  SEARCH_ENDPOINT,
} from './create-marketplace-server';
export { type ArchiveInspection, type InspectArchiveOptions, inspectArchive } from './inspect-archive';
export { enforceRiskPolicy, type RiskPolicy } from './risk-policy';
export {
  KEY_FILE_NAME,
  loadOrCreateKeyFile,
  type RunMarketplaceServerOptions,
  type RunningMarketplace,
  runMarketplaceServer,
} from './run-marketplace-server';
