// An internal entry for sibling packages: the command definitions `agentplug marketplace` shares
// with `agentplug-marketplace`. Not a stable API for anyone else.
export { addMarketplaceCommands, type MarketplaceCommandsOptions } from './marketplace-commands';
