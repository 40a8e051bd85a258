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
  KEY_FILE_NAME,
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
export { SEARCH_ENDPOINT } from './service/marketplace-service';
export {
  type BuildStaticMarketplaceOptions,
  type BuildStaticMarketplaceResult,
  buildStaticMarketplace,
} from './static/build-static-marketplace';
