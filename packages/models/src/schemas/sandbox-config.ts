import { z } from 'zod';

/** How a plugin runs: in the host's thread (`none`) or in its own worker (`worker`). */
export type IsolationMode = 'none' | 'worker';

/** Schema of {@link IsolationMode}. */
export const IsolationModeSchema: z.ZodType<IsolationMode, IsolationMode> = z.enum(['none', 'worker']);

/** Limits for one plugin. */
export interface SandboxConfig {
  max_execution_time_seconds: number;
  max_memory_mb: number;
  isolation: IsolationMode;
}

/** Sandbox settings as written in config.json (each optional, defaults filled). */
export interface SandboxConfigInput {
  max_execution_time_seconds?: number;
  max_memory_mb?: number;
  isolation?: IsolationMode;
}

/** Schema of {@link SandboxConfig}. */
export const SandboxConfigSchema: z.ZodType<SandboxConfig, SandboxConfigInput> = z.object({
  max_execution_time_seconds: z.number().positive().default(30),
  max_memory_mb: z.number().int().positive().default(256),
  isolation: IsolationModeSchema.default('none'),
});

/** The override a config.json may carry: any subset of {@link SandboxConfig}. */
export type SandboxConfigOverride = Partial<SandboxConfig>;

/** Schema of {@link SandboxConfigOverride}. */
export const SandboxConfigOverrideSchema: z.ZodType<SandboxConfigOverride, SandboxConfigOverride> = z.object({
  max_execution_time_seconds: z.number().positive().optional(),
  max_memory_mb: z.number().int().positive().optional(),
  isolation: IsolationModeSchema.optional(),
});
