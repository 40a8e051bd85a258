import { z } from 'zod';
import type { PluginConfig } from './plugin-config';
import { type PluginMetadata, PluginMetadataSchema } from './plugin-metadata';
import { type PluginStatus, PluginStatusSchema } from './plugin-status';
import type { SandboxLayers } from './sandbox-config';

/**
 * What the loader knows about one plugin at run time. `instance` is the plugin object (for an
 * isolated plugin, an async proxy to it in its worker or process).
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
  /** The isolation layers around the running instance; set by the loader once the plugin is loaded. */
  sandbox?: SandboxLayers | null;
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
  sandbox?: SandboxLayers | null;
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
  sandbox: z
    .object({
      isolation: z.enum(['none', 'worker', 'process']),
      process: z.boolean(),
      permissionModel: z.boolean(),
      policy: z.boolean(),
      os: z.boolean(),
      network: z.enum(['proxy', 'policy', 'unrestricted']),
    })
    .nullable()
    .optional(),
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
    ...(state.sandbox === undefined ? {} : { sandbox: state.sandbox === null ? null : { ...state.sandbox } }),
  };
}
