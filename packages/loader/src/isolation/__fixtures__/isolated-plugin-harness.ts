import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PluginMetadata, PluginPermissions, SandboxConfig } from '@agentplug/models';
import type { PermissionEvent, PluginHost, ProcessSandboxOptions } from '../../host/plugin-host';
import { createProcessHost, createWorkerHost } from '../index';

/** Which isolated tier a harness starts plugins in. */
export interface HarnessTier {
  name: string;
  isolation: 'worker' | 'process';
  /** For the process tier: whether the OS layer may be used (`off` runs it without bubblewrap). */
  processSandbox?: ProcessSandboxOptions;
}

/** The worker tier. */
export const workerTier: HarnessTier = { name: 'worker', isolation: 'worker' };
/** The process tier with every layer this machine offers (bubblewrap when it works here). */
export const processTier: HarnessTier = { name: 'process', isolation: 'process' };
/** The process tier with the OS layer turned off: permission model and policy only. */
export const processTierWithoutOs: HarnessTier = {
  name: 'process without OS sandbox',
  isolation: 'process',
  processSandbox: { osSandbox: 'off' },
};

/** What a test plugin is made of: its files (entry first) and what it declares. */
export interface TestPluginOptions {
  /** File name to source; the first is the entry module. */
  files: Record<string, string>;
  permissions?: Partial<PluginPermissions>;
  sandbox?: Partial<SandboxConfig>;
  config?: Record<string, unknown>;
  processSandbox?: ProcessSandboxOptions;
}

/** A started test plugin, with what its worker reported. */
export interface StartedTestPlugin {
  host: PluginHost;
  pluginId: string;
  pluginPath: string;
  events: PermissionEvent[];
  crashes: Error[];
}

/** Writes plugins into one temporary folder and starts them in workers; `cleanup` disposes everything. */
export interface IsolatedPluginHarness {
  root: string;
  /** Writes a plugin folder; returns the host options without starting it. */
  writePlugin(options: TestPluginOptions): { pluginId: string; pluginPath: string; entryModulePath: string };
  startPlugin(options: TestPluginOptions): Promise<StartedTestPlugin>;
  /** Starts a plugin whose load is expected to fail; returns the error and the events. */
  failToStart(options: TestPluginOptions): Promise<{ error: unknown; events: PermissionEvent[] }>;
  cleanup(): Promise<void>;
}

const emptyPermissions: PluginPermissions = {
  filesystem_read: [],
  filesystem_write: [],
  network_hosts: [],
  external_apis: [],
  environment_variables: [],
};

/** Creates a harness for isolated plugins under a fresh temporary folder, in the given tier (default: worker). */
export function createIsolatedPluginHarness(tier: HarnessTier = workerTier): IsolatedPluginHarness {
  const root = mkdtempSync(join(tmpdir(), 'agentplug-isolation-'));
  const hosts: PluginHost[] = [];
  let counter = 0;

  const writePlugin: IsolatedPluginHarness['writePlugin'] = (options) => {
    counter += 1;
    const pluginId = `com.test.isolated-${counter}`;
    const pluginPath = join(root, `plugin-${counter}`);
    mkdirSync(pluginPath, { recursive: true });
    const names = Object.keys(options.files);
    for (const name of names) {
      const filePath = join(pluginPath, name);
      mkdirSync(join(filePath, '..'), { recursive: true });
      writeFileSync(filePath, options.files[name] ?? '');
    }
    return { pluginId, pluginPath, entryModulePath: join(pluginPath, names[0] ?? 'main.mjs') };
  };

  const start = async (options: TestPluginOptions, events: PermissionEvent[], crashes: Error[]) => {
    const written = writePlugin(options);
    const create = tier.isolation === 'process' ? createProcessHost : createWorkerHost;
    const host = await create({
      ...written,
      metadata: {
        id: written.pluginId,
        name: 'Isolated test plugin',
        version: '1.0.0',
      } as unknown as PluginMetadata,
      config: options.config ?? {},
      permissions: { ...emptyPermissions, ...options.permissions },
      sandbox: {
        max_execution_time_seconds: 5,
        max_memory_mb: 64,
        isolation: tier.isolation,
        ...options.sandbox,
      },
      onPermissionEvent: (event) => events.push(event),
      onCrash: (error) => crashes.push(error),
      processSandbox: { ...tier.processSandbox, ...options.processSandbox },
    });
    hosts.push(host);
    return { host, ...written };
  };

  return {
    root,
    writePlugin,
    async startPlugin(options) {
      const events: PermissionEvent[] = [];
      const crashes: Error[] = [];
      const started = await start(options, events, crashes);
      return {
        host: started.host,
        pluginId: started.pluginId,
        pluginPath: started.pluginPath,
        events,
        crashes,
      };
    },
    async failToStart(options) {
      const events: PermissionEvent[] = [];
      try {
        await start(options, events, []);
      } catch (error) {
        return { error, events };
      }
      throw new Error('the plugin was expected to fail to start, and it started');
    },
    async cleanup() {
      await Promise.all(hosts.map((host) => host.dispose()));
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Waits until `predicate` holds (events from the module hooks thread arrive on their own port). */
export async function waitFor(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
