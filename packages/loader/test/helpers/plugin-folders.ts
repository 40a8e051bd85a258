import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PluginMetadataInput, PluginValidationResult, PluginValidatorLike } from '@agentplug/models';

/** A temporary plugin directory, removed by `remove()`. */
export interface TemporaryPluginDirectory {
  path: string;
  /** Writes a plugin folder named after the plugin id; returns its path. */
  writePlugin(options: WritePluginOptions): Promise<string>;
  remove(): Promise<void>;
}

/** A plugin folder to write: manifest fields, files (path → content) and an optional config.json. */
export interface WritePluginOptions {
  id: string;
  manifest?: Partial<PluginMetadataInput>;
  files?: Record<string, string>;
  config?: Record<string, unknown>;
  folderName?: string;
}

/** Creates an empty plugin directory in the system's temporary folder. */
export async function createPluginDirectory(): Promise<TemporaryPluginDirectory> {
  const path = await mkdtemp(join(tmpdir(), 'agentplug-loader-'));
  return {
    path,
    async writePlugin(options: WritePluginOptions): Promise<string> {
      const folder = join(path, options.folderName ?? options.id);
      await mkdir(folder, { recursive: true });
      const manifest = {
        plugin_id: options.id,
        name: options.id,
        version: '1.0.0',
        description: `test plugin ${options.id}`,
        author: 'agentplug tests',
        plugin_type: 'tool',
        entry_point: 'main',
        ...options.manifest,
      };
      await writeFile(join(folder, 'plugin.json'), JSON.stringify(manifest, null, 2));
      if (options.config !== undefined) {
        await writeFile(
          join(folder, 'config.json'),
          JSON.stringify({ plugin_id: options.id, ...options.config }, null, 2),
        );
      }
      for (const [file, content] of Object.entries(options.files ?? { 'main.mjs': simplePluginSource() })) {
        await mkdir(dirname(join(folder, file)), { recursive: true });
        await writeFile(join(folder, file), content);
      }
      return folder;
    },
    async remove(): Promise<void> {
      await rm(path, { recursive: true, force: true });
    },
  };
}

/** An ES module plugin whose hooks record themselves in `globalThis.__agentplugCalls` and which echoes params. */
export function simplePluginSource(options: { label?: string; hooks?: Record<string, string> } = {}): string {
  const label = options.label ?? 'v1';
  const hook = (name: string): string =>
    options.hooks?.[name] ?? `async ${name}() { record(this.metadata.plugin_id, '${name}'); }`;
  return `
const record = (id, what) => { (globalThis.__agentplugCalls ??= []).push(id + ':' + what); };
export class Plugin {
  constructor(metadata, config) { this.metadata = metadata; this.config = config; this.label = '${label}'; }
  ${hook('initialize')}
  ${hook('activate')}
  ${hook('deactivate')}
  ${hook('cleanup')}
  async echo(params) { return { label: this.label, params, config: this.config }; }
}
`;
}

/** The hook calls recorded by plugins written with {@link simplePluginSource}, then cleared. */
export function takeRecordedCalls(): string[] {
  const global = globalThis as { __agentplugCalls?: string[] };
  const calls = global.__agentplugCalls ?? [];
  global.__agentplugCalls = [];
  return calls;
}

/** A capability `echo` taking any object, for manifests. */
export const echoCapability = {
  name: 'echo',
  description: 'Returns what it was given',
  parameters: { type: 'object', properties: {} },
};

/** A validation result with the given verdict. */
export function validationResult(overrides: Partial<PluginValidationResult> = {}): PluginValidationResult {
  return {
    valid: true,
    errors: [],
    warnings: [],
    securityScore: 100,
    riskLevel: 'low',
    findings: [],
    scoreBreakdown: [],
    ...overrides,
  };
}

/** A validator with the loader's interface that answers from a table by plugin id and counts its calls. */
export function createTableValidator(
  table: Record<string, Partial<PluginValidationResult>> = {},
): PluginValidatorLike & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async validatePlugin(pluginPath, metadata) {
      const pluginId = metadata?.plugin_id ?? pluginPath;
      calls.push(pluginId);
      return validationResult(table[pluginId]);
    },
  };
}
