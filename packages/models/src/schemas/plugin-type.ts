import { z } from 'zod';

/** The seed's five plugin categories. */
export const PluginType = {
  TOOL: 'tool',
  ENGINE: 'engine',
  MIDDLEWARE: 'middleware',
  INTEGRATION: 'integration',
  CUSTOM: 'custom',
} as const;

/** One of `tool`, `engine`, `middleware`, `integration`, `custom`. */
export type PluginType = (typeof PluginType)[keyof typeof PluginType];

/** Schema of {@link PluginType}. */
export const PluginTypeSchema: z.ZodType<PluginType, PluginType> = z.enum([
  'tool',
  'engine',
  'middleware',
  'integration',
  'custom',
]);
