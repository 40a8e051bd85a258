import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PluginLoader } from '../src/index';
import {
  createPluginDirectory,
  type TemporaryPluginDirectory,
  takeRecordedCalls,
} from './helpers/plugin-folders';

interface Gates {
  __agentplugGates?: Record<string, { promise: Promise<void>; open: () => void }>;
}

/** A gate plugin code can wait on (`globalThis.__agentplugGates[name].promise`) and tests open. */
function createGate(name: string): () => void {
  const global = globalThis as Gates;
  global.__agentplugGates ??= {};
  let open: () => void = () => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  global.__agentplugGates[name] = { promise, open };
  return open;
}

/** Resolves when the plugin's initialize() starts. */
function whenStarted(pluginId: string): Promise<void> {
  const global = globalThis as Gates;
  global.__agentplugGates ??= {};
  return new Promise<void>((resolve) => {
    global.__agentplugGates![`${pluginId}:started`] = { promise: Promise.resolve(), open: resolve };
  });
}

const gatedSource = (label: string) => `
const gates = () => globalThis.__agentplugGates;
export class Plugin {
  constructor(metadata) { this.id = metadata.plugin_id; }
  async initialize() {
    gates()?.[this.id + ':started']?.open();
    const own = gates()?.[this.id + ':initialize'];
    if (own) await own.promise;
  }
  async slow() { await gates().slow.promise; return '${label}'; }
  async which() { return '${label}'; }
}
`;

const capabilities = [{ name: 'slow' }, { name: 'which' }];

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;

beforeEach(async () => {
  directory = await createPluginDirectory();
  loader = new PluginLoader({ pluginDirectory: directory.path });
  takeRecordedCalls();
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
  delete (globalThis as Gates).__agentplugGates;
});

describe('concurrent operations', () => {
  it('serialises operations on one plugin: one load wins, the others are refused, nothing is corrupted', async () => {
    await directory.writePlugin({ id: 'com.test.one' });
    const loads = await Promise.allSettled([
      loader.loadPlugin('com.test.one'),
      loader.loadPlugin('com.test.one'),
      loader.loadPlugin('com.test.one'),
    ]);
    expect(loads.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    for (const result of loads.slice(1)) {
      expect(PluginError.is((result as PromiseRejectedResult).reason, 'INVALID_TRANSITION')).toBe(true);
    }
    expect(takeRecordedCalls()).toEqual(['com.test.one:initialize']);
  });

  it('runs queued operations on one plugin in call order', async () => {
    await directory.writePlugin({ id: 'com.test.one' });
    const statuses: string[] = [];
    loader.on('stateChange', (event) => statuses.push(event.to));
    await Promise.all([
      loader.loadPlugin('com.test.one'),
      loader.activatePlugin('com.test.one'),
      loader.deactivatePlugin('com.test.one'),
      loader.activatePlugin('com.test.one'),
      loader.unloadPlugin('com.test.one'),
    ]);
    expect(statuses).toEqual([
      'loading',
      'loaded',
      'active',
      'inactive',
      'active',
      'inactive',
      'unloading',
      'unloaded',
    ]);
    expect(loader.getPluginState('com.test.one')).toBeUndefined();
  });

  it('runs operations on different plugins concurrently', async () => {
    await directory.writePlugin({
      id: 'com.test.first',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('a') },
    });
    await directory.writePlugin({
      id: 'com.test.second',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('b') },
    });
    const openFirst = createGate('com.test.first:initialize');
    const firstStarted = whenStarted('com.test.first');
    const first = loader.loadPlugin('com.test.first');
    await firstStarted;
    // The first plugin's initialize() is still waiting; the second loads meanwhile.
    const second = await loader.loadPlugin('com.test.second');
    expect(second.status).toBe('loaded');
    expect(loader.getPluginState('com.test.first')?.status).toBe('loading');
    openFirst();
    expect((await first).status).toBe('loaded');
  });

  it('lets in-flight invocations finish on the old instance before a reload swaps, and sends later calls to the new one', async () => {
    const folder = await directory.writePlugin({
      id: 'com.test.one',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('old') },
    });
    await loader.loadPlugin('com.test.one');
    await loader.activatePlugin('com.test.one');
    const openSlow = createGate('slow');
    const inFlight = loader.invoke('com.test.one', 'slow', {});
    await directory.writePlugin({
      id: 'com.test.one',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('new') },
    });
    expect(folder).toBeTruthy();
    const newStarted = whenStarted('com.test.one');
    let reloaded = false;
    const reload = loader.reloadPlugin('com.test.one').then((state) => {
      reloaded = true;
      return state;
    });
    // The reload waits for the in-flight call; a call made meanwhile waits for the swap.
    await newStarted;
    await new Promise((resolve) => setImmediate(resolve));
    expect(reloaded).toBe(false);
    expect(loader.getPluginState('com.test.one')?.status).toBe('active');
    const during = loader.invoke('com.test.one', 'which', {});
    openSlow();
    expect(await inFlight).toBe('old');
    expect((await reload).status).toBe('active');
    expect(await during).toBe('new');
    expect(await loader.invoke('com.test.one', 'which', {})).toBe('new');
  });

  it('swaps after drainTimeoutMs when an in-flight invocation never settles', async () => {
    await directory.writePlugin({
      id: 'com.test.one',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('old') },
    });
    const impatient = new PluginLoader({ pluginDirectory: directory.path, drainTimeoutMs: 30 });
    await impatient.loadPlugin('com.test.one');
    await impatient.activatePlugin('com.test.one');
    createGate('slow');
    void impatient.invoke('com.test.one', 'slow', {});
    await directory.writePlugin({
      id: 'com.test.one',
      manifest: { capabilities },
      files: { 'main.mjs': gatedSource('new') },
    });
    expect((await impatient.reloadPlugin('com.test.one')).status).toBe('active');
    expect(await impatient.invoke('com.test.one', 'which', {})).toBe('new');
    await impatient.close();
  });
});
