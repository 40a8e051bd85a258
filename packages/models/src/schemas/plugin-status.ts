import { z } from 'zod';

/** The lifecycle states of the seed's diagram. */
export const PluginStatus = {
  UNLOADED: 'unloaded',
  LOADING: 'loading',
  LOADED: 'loaded',
  ACTIVE: 'active',
  INACTIVE: 'inactive',
  FAILED: 'failed',
  UNLOADING: 'unloading',
} as const;

/** One of the seven lifecycle states. */
export type PluginStatus = (typeof PluginStatus)[keyof typeof PluginStatus];

/** Schema of {@link PluginStatus}. */
export const PluginStatusSchema: z.ZodType<PluginStatus, PluginStatus> = z.enum([
  'unloaded',
  'loading',
  'loaded',
  'active',
  'inactive',
  'failed',
  'unloading',
]);
