import { z } from 'zod';
import { pluginIdField } from './plugin-dependency';
import { type PluginType, PluginTypeSchema } from './plugin-type';

/** A marketplace search result, snake_case as on the wire. */
export interface PluginMarketplaceInfo {
  plugin_id: string;
  name: string;
  version: string;
  description: string;
  plugin_type: PluginType;
  tags: string[];
  author: string;
  downloads: number;
  rating: number;
  /** ISO 8601 time of publication. */
  published_at: string;
  security_score: number;
}

/** Schema of {@link PluginMarketplaceInfo}. */
export const PluginMarketplaceInfoSchema: z.ZodType<PluginMarketplaceInfo> = z.object({
  plugin_id: pluginIdField(),
  name: z.string(),
  version: z.string(),
  description: z.string(),
  plugin_type: PluginTypeSchema,
  tags: z.array(z.string()),
  author: z.string(),
  downloads: z.number().int().min(0),
  rating: z.number().min(0).max(5),
  published_at: z.string(),
  security_score: z.number().min(0).max(100),
});
