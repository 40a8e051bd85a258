import type { PluginValidationResult } from '@agentplug/models';

/** The reference server's search endpoint, relative to the marketplace URL (PROTOCOL.md B2). */
export const SEARCH_PATH = 'api/v1/search';
/** The reference server's plugins API (publish, yank, ratings), relative to the marketplace URL. */
export const PLUGINS_PATH = 'api/v1/plugins';

/** What the server answers to a publish (`201` to `POST api/v1/plugins`). */
export interface PublishArchiveResult {
  plugin_id: string;
  version: string;
  sha256: string;
  size: number;
  security_score: number;
  risk_level: string;
  validation?: PluginValidationResult;
}

/** The body of every error answer of the reference server: a code from the agentplug error table. */
export interface MarketplaceErrorAnswer {
  error: {
    code: string;
    message: string;
    hint?: string;
    details?: Record<string, unknown>;
  };
}
