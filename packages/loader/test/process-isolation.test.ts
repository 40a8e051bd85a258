import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CapabilitiesChangedEvent,
  detectOsSandbox,
  type PermissionEvent,
  PluginLoader,
  type StateChangeEvent,
} from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

// The process tier through the loader: the same lifecycle, invoke and state.instance as the other
// tiers, state.sandbox telling the layers, a hot reload that starts a new process, permission
// events on the loader, a crash that fails only its plugin, and a host that can insist on the OS layer.

const processSource = `
const token = Math.random();
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async where() { return { inHost: globalThis.__agentplugHostMarker === true, config: this.config, token }; }
  async spawn() { const childProcess = await import('node:child_process'); return childProcess.execSync('true'); }
  async crash() { process.exit(3); }
}
`;

const capabilities = [{ name: 'where' }, { name: 'spawn' }, { name: 'crash' }];

let directory: TemporaryPluginDirectory;
let loader: PluginLoader | undefined;

beforeEach(async () => {
  directory = await createPluginDirectory();
  (globalThis as { __agentplugHostMarker?: boolean }).__agentplugHostMarker = true;
});

afterEach(async () => {
  await loader?.close();
  loader = undefined;
  await directory.remove();
});

async function writeProcessPlugin(id: string, config?: Record<string, unknown>): Promise<void> {
  await directory.writePlugin({
    id,
    manifest: { capabilities },
    files: { 'main.mjs': processSource },
    ...(config === undefined ? {} : { config }),
  });
}

describe('process isolation through the loader', () => {
  it('runs a plugin in its own process, reports its layers, and reloads it into a new process', async () => {
    const status = await detectOsSandbox();
    await writeProcessPlugin('com.test.process', { sandbox_config_override: { isolation: 'process' } });
    loader = new PluginLoader({ pluginDirectory: directory.path });
    const events: PermissionEvent[] = [];
    loader.on('permission', (event) => events.push(event));
    const state = await loader.loadPlugin('com.test.process', { config: { config: { mode: 'safe' } } });
    expect(state.sandbox).toEqual({
      isolation: 'process',
      process: true,
      permissionModel: true,
      policy: true,
      os: status.available,
      network: status.available ? 'proxy' : 'policy',
    });
    await loader.activatePlugin('com.test.process');
    const first = (await loader.invoke('com.test.process', 'where')) as {
      inHost: boolean;
      config: unknown;
      token: number;
    };
    expect(first).toMatchObject({ inHost: false, config: { mode: 'safe' } });
    expect(await (state.instance as { where(): Promise<unknown> }).where()).toEqual(first);
    const denied = await loader.invoke('com.test.process', 'spawn').catch((error: unknown) => error);
    expect(PluginError.is(denied, 'PERMISSION_DENIED')).toBe(true);
    expect((denied as Error).message).toContain('node:child_process');
    expect(events.some((event) => !event.allowed && event.pluginId === 'com.test.process')).toBe(true);
    const reloaded = await loader.reloadPlugin('com.test.process');
    expect(reloaded.status).toBe('active');
    const second = (await loader.invoke('com.test.process', 'where')) as { token: number };
    expect(second.token).not.toBe(first.token);
    await loader.unloadPlugin('com.test.process');
    expect(loader.getPluginState('com.test.process')).toBeUndefined();
  });

  it('fails only the crashed plugin, with PROCESS_CRASHED and its exit code', async () => {
    await writeProcessPlugin('com.test.crashing');
    await writeProcessPlugin('com.test.steady');
    loader = new PluginLoader({ pluginDirectory: directory.path, defaultIsolation: 'process' });
    const changes: StateChangeEvent[] = [];
    const capabilityChanges: CapabilitiesChangedEvent[] = [];
    loader.on('stateChange', (event) => changes.push(event));
    loader.on('capabilitiesChanged', (event) => capabilityChanges.push(event));
    for (const id of ['com.test.crashing', 'com.test.steady']) {
      await loader.loadPlugin(id);
      await loader.activatePlugin(id);
    }
    await loader.invoke('com.test.crashing', 'crash').catch(() => undefined);
    await expect.poll(() => loader?.getPluginState('com.test.crashing')?.status).toBe('failed');
    const failure = loader.getPluginState('com.test.crashing')?.error;
    expect(PluginError.is(failure, 'PROCESS_CRASHED')).toBe(true);
    expect((failure as PluginError).details).toMatchObject({ exitCode: 3 });
    expect(capabilityChanges).toContainEqual({ pluginId: 'com.test.crashing', reason: 'failed' });
    expect(((await loader.invoke('com.test.steady', 'where')) as { inHost: boolean }).inHost).toBe(false);
  });

  it('refuses a process-tier plugin without the OS layer when the host requires it', async () => {
    const failingBubblewrap = join(directory.path, 'bwrap');
    writeFileSync(
      failingBubblewrap,
      '#!/bin/sh\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
    );
    chmodSync(failingBubblewrap, 0o755);
    await writeProcessPlugin('com.test.strict');
    loader = new PluginLoader({
      pluginDirectory: directory.path,
      defaultIsolation: 'process',
      processSandbox: { requireOsSandbox: true, bubblewrapPath: failingBubblewrap },
    });
    const error = await loader.loadPlugin('com.test.strict').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'SANDBOX_UNAVAILABLE')).toBe(true);
    expect(loader.getPluginState('com.test.strict')?.status).toBe('failed');
    expect(loader.getPluginState('com.test.strict')?.sandbox).toBeNull();
  });
});
