export { addMarketplaceCommands, type MarketplaceCommandsOptions } from './marketplace-commands';
export { type MarketplaceCommandOutput, runMarketplaceCommand } from './run-marketplace-command';
