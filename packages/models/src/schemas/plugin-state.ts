import { z } from 'zod';
import type { PluginConfig } from './plugin-config';
import { type PluginMetadata, PluginMetadataSchema } from './plugin-metadata';
import { type PluginStatus, PluginStatusSchema } from './plugin-status';

/**
 * What the loader knows about one plugin at run time. `instance` is the plugin object (for an
 * isolated plugin, an async proxy to it in its worker).
 */
export interface PluginState<Instance = unknown> {
  metadata: PluginMetadata;
  status: PluginStatus;
  config: PluginConfig;
  instance: Instance | null;
  /** Why the plugin is FAILED, or the last reload error while the old instance keeps serving. */
  error: Error | null;
  /** Absolute path of the plugin folder. */
  pluginPath: string;
  loadedAt: Date | null;
  activatedAt: Date | null;
  updatedAt: Date;
}

/** A PluginState as JSON, without its instance: what a status endpoint returns. */
export interface SerializedPluginState {
  pluginId: string;
  version: string;
  status: PluginStatus;
  metadata: PluginMetadata;
  config: PluginConfig;
  pluginPath: string;
  error: { name: string; message: string; code?: string } | null;
  loadedAt: string | null;
  activatedAt: string | null;
  updatedAt: string;
}

/** Schema of {@link SerializedPluginState}. */
export const SerializedPluginStateSchema: z.ZodType<SerializedPluginState> = z.object({
  pluginId: z.string(),
  version: z.string(),
  status: PluginStatusSchema,
  metadata: PluginMetadataSchema as z.ZodType<PluginMetadata>,
  config: z.looseObject({}) as unknown as z.ZodType<PluginConfig>,
  pluginPath: z.string(),
  error: z.object({ name: z.string(), message: z.string(), code: z.string().optional() }).nullable(),
  loadedAt: z.string().nullable(),
  activatedAt: z.string().nullable(),
  updatedAt: z.string(),
});

/** Turns a PluginState into plain JSON data, leaving out the instance. */
export function serializePluginState(state: PluginState): SerializedPluginState {
  const code =
    state.error && 'code' in state.error ? String((state.error as { code: unknown }).code) : undefined;
  return {
    pluginId: state.metadata.plugin_id,
    version: state.metadata.version,
    status: state.status,
    metadata: state.metadata,
    config: state.config,
    pluginPath: state.pluginPath,
    error: state.error
      ? { name: state.error.name, message: state.error.message, ...(code === undefined ? {} : { code }) }
      : null,
    loadedAt: state.loadedAt?.toISOString() ?? null,
    activatedAt: state.activatedAt?.toISOString() ?? null,
    updatedAt: state.updatedAt.toISOString(),
  };
}
