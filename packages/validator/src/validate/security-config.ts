import {
  type FindingCapability,
  FindingCapabilitySchema,
  PluginError,
  RISK_LEVELS,
  type RiskLevel,
} from '@agentplug/models';

/** Settings of a {@link PluginValidator}; every field is optional. */
export interface SecurityConfig {
  /** Largest file allowed, in MiB. Default 50 (the seed's `max_file_size_mb`). */
  maxFileSizeMb?: number;
  /** Most files (of any kind) a plugin folder may hold. Default 2000. */
  maxFiles?: number;
  /** File extensions allowed in the folder (with the dot, lower case). Default: JavaScript, TypeScript, JSON and text. */
  allowedExtensions?: string[];
  /**
   * Module specifiers a plugin may not import (`child_process`, `node:vm`, `axios`; a name also
   * blocks its subpaths). `eval` and `Function` block those calls.
   */
  blockedImports?: string[];
  /** Capabilities whose every use is an error. Default `['shell', 'eval', 'native']`. */
  blockedCapabilities?: FindingCapability[];
  /** Worst risk level a valid plugin may have. Default `'high'`, so `critical` is invalid. */
  maxRiskLevel?: RiskLevel;
  /** Keep scan results and verdicts by content hash, so an unchanged plugin re-validates at once. Default true. */
  cache?: boolean;
  /**
   * Where the code scan runs: `'worker'` (default), a worker thread with `scanMemoryMb` of heap
   * and `scanTimeoutMs` per file, so no file can exhaust or stall the host; `'none'`, the calling
   * thread, for trusted code and benchmarks only.
   */
  scanIsolation?: 'worker' | 'none';
  /** The longest the scan of one file may take, in milliseconds. Default 20000. */
  scanTimeoutMs?: number;
  /** The scan worker's heap, in MiB. Default 512. */
  scanMemoryMb?: number;
}

/** {@link SecurityConfig} with every default filled. */
export interface ResolvedSecurityConfig {
  maxFileSizeMb: number;
  maxFiles: number;
  allowedExtensions: string[];
  blockedImports: string[];
  blockedCapabilities: FindingCapability[];
  maxRiskLevel: RiskLevel;
  cache: boolean;
  scanIsolation: 'worker' | 'none';
  scanTimeoutMs: number;
  scanMemoryMb: number;
}

/** File extensions allowed by default. */
export const DEFAULT_ALLOWED_EXTENSIONS: readonly string[] = [
  '.js',
  '.mjs',
  '.cjs',
  '.jsx',
  '.json',
  '.md',
  '.txt',
  '.map',
  '.d.ts',
  '.d.mts',
  '.d.cts',
  '.ts',
  '.mts',
  '.cts',
  '.tsx',
];

function invalid(message: string): PluginError {
  return new PluginError('INVALID_ARGUMENT', `invalid security config: ${message}`);
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item.length === 0)) {
    throw invalid(`${name} must be an array of non-empty strings`);
  }
  return [...value];
}

/**
 * Fills the defaults of a security config and checks its values.
 * @throws PluginError INVALID_ARGUMENT when a value has the wrong type or range
 */
export function resolveSecurityConfig(config: SecurityConfig = {}): ResolvedSecurityConfig {
  if (config === null || typeof config !== 'object') throw invalid('expected an object');
  const positive = (value: unknown, name: string, fallback: number) => {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw invalid(`${name} must be a positive number`);
    }
    return value;
  };
  const maxRiskLevel = config.maxRiskLevel ?? 'high';
  if (!RISK_LEVELS.includes(maxRiskLevel))
    throw invalid(`maxRiskLevel must be one of ${RISK_LEVELS.join(', ')}`);
  const blockedCapabilities = stringList(config.blockedCapabilities, 'blockedCapabilities') ?? [
    'shell',
    'eval',
    'native',
  ];
  for (const capability of blockedCapabilities) {
    if (!FindingCapabilitySchema.safeParse(capability).success) {
      throw invalid(`blockedCapabilities has an unknown capability "${capability}"`);
    }
  }
  const allowedExtensions = (
    stringList(config.allowedExtensions, 'allowedExtensions') ?? [...DEFAULT_ALLOWED_EXTENSIONS]
  ).map((extension) => (extension.startsWith('.') ? extension : `.${extension}`).toLowerCase());
  if (config.cache !== undefined && typeof config.cache !== 'boolean')
    throw invalid('cache must be a boolean');
  const scanIsolation = config.scanIsolation ?? 'worker';
  if (scanIsolation !== 'worker' && scanIsolation !== 'none')
    throw invalid("scanIsolation must be 'worker' or 'none'");
  return {
    maxFileSizeMb: positive(config.maxFileSizeMb, 'maxFileSizeMb', 50),
    maxFiles: Math.floor(positive(config.maxFiles, 'maxFiles', 2000)),
    allowedExtensions,
    blockedImports: (stringList(config.blockedImports, 'blockedImports') ?? []).map((name) =>
      name.startsWith('node:') ? name.slice(5) : name,
    ),
    blockedCapabilities: blockedCapabilities as FindingCapability[],
    maxRiskLevel,
    cache: config.cache ?? true,
    scanIsolation,
    scanTimeoutMs: Math.ceil(positive(config.scanTimeoutMs, 'scanTimeoutMs', 20_000)),
    scanMemoryMb: Math.ceil(positive(config.scanMemoryMb, 'scanMemoryMb', 512)),
  };
}
