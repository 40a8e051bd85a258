import type { IndexPluginEntry, RankedPlugin, SearchQuery } from '@agentplug/registry-client/protocol';
import type { MarketplaceService } from '../service/marketplace-service';
import type { VersionReport } from '../service/version-report';

/**
 * What the web catalog reads, and all it reads: a port the catalog owns, so the same pages render
 * from a running marketplace service or from a static build's in-memory catalog.
 */
export interface CatalogReader {
  /**
   * The catalog's version: an object replaced whenever what the lists show may change (a signed
   * change, or counters refreshed). The lists and pages rendered from one version are kept until it is replaced.
   */
  catalogVersion(): object;
  /** Every plugin matching, ranked by relevance, with no result objects built (the catalog sorts and pages). */
  rank(query: Omit<SearchQuery, 'limit'>): RankedPlugin[];
  /** A plugin's average rating, 0 when unrated. */
  ratingOf(pluginId: string): number;
  /** A plugin with its versions and live counters, or undefined. */
  getPlugin(pluginId: string): IndexPluginEntry | undefined;
  /** The validation report and README kept for a version, or undefined when none is kept. */
  getVersionReport(pluginId: string, version: string): Promise<VersionReport | undefined>;
}

/** Where the catalog is served and the key clients trust, for install commands and the trust page. */
export interface CatalogSite {
  /** The marketplace URL clients pass as `--marketplace` (trailing slash). */
  marketplaceUrl: string;
  /** The marketplace's public key (base64 SPKI DER), what `--trusted-key` takes: it pins root 1. */
  publicKey: string;
  /** sha256 of the public key, hex. */
  keyId: string;
}

/**
 * Reads the catalog of a running marketplace through its service's read methods. Lists (the home
 * page, searches, publishers) rank the catalog with live downloads and are cached by the service's
 * catalog view, which is replaced with every signed change and within `statsResignDelayMs` (10 s
 * by default) of a download or rating. A plugin's page reads its live counters.
 */
export function createServiceCatalogReader(service: MarketplaceService): CatalogReader {
  return {
    catalogVersion: () => service.getCatalog(),
    rank: (query) => service.rank(query),
    ratingOf: (pluginId) => service.ratingOf(pluginId),
    getPlugin: (pluginId) => service.getPlugin(pluginId),
    getVersionReport: (pluginId, version) => service.getVersionReport(pluginId, version),
  };
}
