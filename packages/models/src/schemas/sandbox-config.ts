import { z } from 'zod';

/**
 * How a plugin runs: in the host's thread (`none`), in its own worker thread (`worker`), or in its
 * own child process under Node's permission model and, where the OS offers one, an OS sandbox
 * (`process`).
 */
export type IsolationMode = 'none' | 'worker' | 'process';

/** Schema of {@link IsolationMode}. */
export const IsolationModeSchema: z.ZodType<IsolationMode, IsolationMode> = z.enum([
  'none',
  'worker',
  'process',
]);

/**
 * The isolation layers active around one running plugin, as the loader reports them in
 * `state.sandbox`: its own OS process, Node's permission model, the in-realm policy, an OS sandbox
 * (bubblewrap namespaces), and how its network access is enforced (`proxy`: only through the
 * host's allow-list proxy; `policy`: by the in-realm policy alone; `unrestricted`: not at all).
 */
export interface SandboxLayers {
  isolation: IsolationMode;
  process: boolean;
  permissionModel: boolean;
  policy: boolean;
  os: boolean;
  network: 'proxy' | 'policy' | 'unrestricted';
}

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
