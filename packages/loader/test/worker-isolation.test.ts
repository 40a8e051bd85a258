import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type CapabilitiesChangedEvent,
  type PermissionEvent,
  PluginLoader,
  type StateChangeEvent,
} from '../src/index';
import { createPluginDirectory, type TemporaryPluginDirectory } from './helpers/plugin-folders';

const workerSource = `
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  async where() { return { inHost: globalThis.__agentplugHostMarker === true, config: this.config }; }
  async spawn() { const childProcess = await import('node:child_process'); return typeof childProcess.spawn; }
  async crash() { process.exit(3); }
}
`;

const capabilities = [{ name: 'where' }, { name: 'spawn' }, { name: 'crash' }];

let directory: TemporaryPluginDirectory;
let loader: PluginLoader | undefined;

beforeEach(async () => {
  directory = await createPluginDirectory();
  // Visible to plugins in the host's thread only: tells where a plugin runs.
  (globalThis as { __agentplugHostMarker?: boolean }).__agentplugHostMarker = true;
});

afterEach(async () => {
  await loader?.close();
  loader = undefined;
  await directory.remove();
});

async function writeWorkerPlugin(id: string, config?: Record<string, unknown>): Promise<void> {
  await directory.writePlugin({
    id,
    manifest: { capabilities },
    files: { 'main.mjs': workerSource },
    ...(config === undefined ? {} : { config }),
  });
}

describe('worker isolation through the loader', () => {
  it('runs a plugin in a worker when the load call asks, with invoke and state.instance reading the same', async () => {
    await writeWorkerPlugin('com.test.isolated');
    loader = new PluginLoader({ pluginDirectory: directory.path });
    const state = await loader.loadPlugin('com.test.isolated', {
      isolation: 'worker',
      config: { config: { mode: 'safe' } },
    });
    expect(state.config.sandbox_config_override).toEqual({});
    await loader.activatePlugin('com.test.isolated');
    const viaInvoke = (await loader.invoke('com.test.isolated', 'where')) as {
      inHost: boolean;
      config: unknown;
    };
    expect(viaInvoke).toEqual({ inHost: false, config: { mode: 'safe' } });
    const viaInstance = await (state.instance as { where(): Promise<unknown> }).where();
    expect(viaInstance).toEqual(viaInvoke);
    await loader.unloadPlugin('com.test.isolated');
    expect(loader.getPluginState('com.test.isolated')).toBeUndefined();
  });

  it('takes the isolation from config.json, then from the loader default; the load call wins over both', async () => {
    await writeWorkerPlugin('com.test.from-config', { sandbox_config_override: { isolation: 'worker' } });
    await writeWorkerPlugin('com.test.from-default');
    loader = new PluginLoader({ pluginDirectory: directory.path, defaultIsolation: 'worker' });
    for (const id of ['com.test.from-config', 'com.test.from-default']) {
      await loader.loadPlugin(id);
      await loader.activatePlugin(id);
      expect(((await loader.invoke(id, 'where')) as { inHost: boolean }).inHost).toBe(false);
    }
    await loader.unloadPlugin('com.test.from-default');
    await loader.loadPlugin('com.test.from-default', { isolation: 'none' });
    await loader.activatePlugin('com.test.from-default');
    expect(((await loader.invoke('com.test.from-default', 'where')) as { inHost: boolean }).inHost).toBe(
      true,
    );
  });

  it('forwards permission checks as "permission" events and refuses undeclared built-ins', async () => {
    await writeWorkerPlugin('com.test.isolated');
    loader = new PluginLoader({ pluginDirectory: directory.path, defaultIsolation: 'worker' });
    // The audit trail travels on its own channel: the event may land just after the call's rejection.
    const denied = new Promise<PermissionEvent>((resolve) => {
      loader?.on('permission', (event) => {
        if (!event.allowed) resolve(event);
      });
    });
    await loader.loadPlugin('com.test.isolated');
    await loader.activatePlugin('com.test.isolated');
    const error = await loader.invoke('com.test.isolated', 'spawn').catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'PERMISSION_DENIED')).toBe(true);
    const event = await denied;
    expect(event).toMatchObject({ pluginId: 'com.test.isolated', allowed: false });
    expect(event.target).toContain('child_process');
    expect(loader.getPluginState('com.test.isolated')?.status).toBe('active');
  });

  it('fails only the crashed plugin: FAILED with the cause, capabilities withdrawn, the others go on', async () => {
    await writeWorkerPlugin('com.test.crashing');
    await writeWorkerPlugin('com.test.bystander');
    loader = new PluginLoader({ pluginDirectory: directory.path, defaultIsolation: 'worker' });
    for (const id of ['com.test.crashing', 'com.test.bystander']) {
      await loader.loadPlugin(id);
      await loader.activatePlugin(id);
    }
    const failed = new Promise<StateChangeEvent>((resolve) => {
      loader?.on('stateChange', (event) => {
        if (event.to === 'failed') resolve(event);
      });
    });
    const changes: CapabilitiesChangedEvent[] = [];
    loader.on('capabilitiesChanged', (event) => changes.push(event));
    await loader.invoke('com.test.crashing', 'crash').catch(() => undefined);
    const event = await failed;
    expect(event).toMatchObject({ pluginId: 'com.test.crashing', from: 'active', to: 'failed' });
    expect(PluginError.is(event.error)).toBe(true);
    expect(changes).toEqual([{ pluginId: 'com.test.crashing', reason: 'failed' }]);
    expect(loader.listCapabilities().every((entry) => entry.pluginId === 'com.test.bystander')).toBe(true);
    expect(((await loader.invoke('com.test.bystander', 'where')) as { inHost: boolean }).inHost).toBe(false);
    await loader.unloadPlugin('com.test.crashing');
    expect(loader.getPluginState('com.test.crashing')).toBeUndefined();
  });
});
