import { readdirSync, readlinkSync } from 'node:fs';
import { PluginError } from '@agentplug/models';
import { afterAll, describe, expect, it } from 'vitest';
import { importsGated } from './__fixtures__/escape-attempt';
import {
  createIsolatedPluginHarness,
  type HarnessTier,
  processTier,
  waitFor,
  workerTier,
} from './__fixtures__/isolated-plugin-harness';

// The host API of an isolated plugin: the worker tier's, and the process tier's, which must be the
// same (the instance proxy, lifecycle hooks, the kinds of entry module, errors across the boundary,
// aborts, load failures, dispose, permission events).

/** This process's inotify instances (each thread whose loop ever watched a file holds one). */
function inotifyInstances(): number {
  let count = 0;
  for (const descriptor of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${descriptor}`) === 'anon_inode:inotify') count += 1;
    } catch {
      // Closed between the listing and the read.
    }
  }
  return count;
}

const greeterSource = `
class Base { inherited() { return 'from base'; } }
export class Plugin extends Base {
  constructor(metadata, config) { super(); this.metadata = metadata; this.config = config; this.calls = []; }
  initialize() { this.calls.push('initialize'); }
  greet(name) { return \`\${this.config.greeting}, \${name}\`; }
  async slow(ms) { await new Promise((resolve) => setTimeout(resolve, ms)); return ms; }
  who() { return this.metadata.id; }
  hooks() { return this.calls; }
  failCoded() { throw Object.assign(new Error('not there'), { name: 'PluginError', code: 'CAPABILITY_NOT_FOUND', details: { what: 'x' } }); }
  failTyped() { null.boom; }
  unclonable() { return () => 1; }
  failPlainWithCode() { throw Object.assign(new Error('plain'), { code: 'TIMEOUT' }); }
}
`;

const tiers: { tier: HarnessTier; crashCode: string }[] = [
  { tier: workerTier, crashCode: 'WORKER_CRASHED' },
  { tier: processTier, crashCode: 'PROCESS_CRASHED' },
];

for (const { tier, crashCode } of tiers) {
  describe(`the host of an isolated plugin (${tier.name})`, () => {
    const harness = createIsolatedPluginHarness(tier);
    afterAll(() => harness.cleanup());

    it('runs a Plugin class behind an async, non-thenable proxy', async () => {
      const { host, pluginId } = await harness.startPlugin({
        files: { 'main.mjs': greeterSource },
        config: { greeting: 'Hello' },
      });
      const instance = host.instance as Record<string, (...args: unknown[]) => Promise<unknown>>;
      expect(await instance.greet?.('Ada')).toBe('Hello, Ada');
      expect(await instance.who?.()).toBe(pluginId);
      expect(await instance.inherited?.()).toBe('from base');
      expect((host.instance as { then?: unknown }).then).toBeUndefined();
      expect(await Promise.resolve(host.instance)).toBe(host.instance);
      expect(host.hasMethod('greet')).toBe(true);
      expect(host.hasMethod('inherited')).toBe(true);
      expect(host.hasMethod('activate')).toBe(false);
      expect(host.hasMethod('constructor')).toBe(false);
      expect(instance.missing).toBeUndefined();
      expect('greet' in host.instance).toBe(true);
      await host.callHook('initialize');
      await host.callHook('activate');
      expect(await host.call('hooks', [])).toEqual(['initialize']);
    });

    it('instantiates an async createPlugin factory, a default class and a CommonJS module', async () => {
      const factory = await harness.startPlugin({
        files: {
          'main.mjs': `export async function createPlugin(metadata, config) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return { answer: () => config.value * 2 };
        }`,
        },
        config: { value: 21 },
      });
      expect(await factory.host.call('answer', [])).toBe(42);
      const defaultClass = await harness.startPlugin({
        files: { 'main.mjs': 'export default class { ping() { return "pong"; } }' },
      });
      expect(await defaultClass.host.call('ping', [])).toBe('pong');
      const commonJs = await harness.startPlugin({
        files: { 'main.cjs': 'module.exports = { createPlugin: () => ({ kind: () => typeof require }) };' },
      });
      expect(await commonJs.host.call('kind', [])).toBe('function');
    });

    it('keeps code, message, details and stack of errors across the boundary', async () => {
      const { host, pluginPath } = await harness.startPlugin({ files: { 'main.mjs': greeterSource } });
      const coded = await host.call('failCoded', []).catch((error: unknown) => error);
      expect(PluginError.is(coded, 'CAPABILITY_NOT_FOUND')).toBe(true);
      expect((coded as PluginError).message).toBe('not there');
      expect((coded as PluginError).details).toEqual({ what: 'x' });
      expect((coded as Error).stack).toContain(pluginPath);
      const typed = await host.call('failTyped', []).catch((error: unknown) => error);
      expect(typed).toBeInstanceOf(Error);
      expect((typed as Error).name).toBe('TypeError');
      expect((typed as Error).message).toMatch(/null/);
      expect((typed as Error).stack).toContain('failTyped');
      const plain = await host.call('failPlainWithCode', []).catch((error: unknown) => error);
      expect(PluginError.is(plain)).toBe(false);
      expect(plain).toMatchObject({ name: 'Error', message: 'plain', code: 'TIMEOUT' });
      const unclonable = await host.call('unclonable', []).catch((error: unknown) => error);
      expect((unclonable as Error).name).toBe('DataCloneError');
      const missing = await host.call('nope', []).catch((error: unknown) => error);
      expect(PluginError.is(missing, 'INVALID_ARGUMENT')).toBe(true);
      // The plugin is still fine after all of these.
      expect(await host.call('greet', ['again'])).toBe('undefined, again');
    });

    it('rejects arguments that cannot cross the boundary without harming the plugin', async () => {
      const { host } = await harness.startPlugin({ files: { 'main.mjs': greeterSource } });
      const error = await host.call('greet', [() => 1]).catch((caught: unknown) => caught);
      expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
      expect(await host.call('slow', [1])).toBe(1);
    });

    it('aborts a call by signal without ending the plugin', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': greeterSource } });
      const controller = new AbortController();
      const pending = host.call('slow', [200], { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'ABORTED' });
      const aborted = new AbortController();
      aborted.abort();
      await expect(host.call('slow', [1], { signal: aborted.signal })).rejects.toMatchObject({
        code: 'ABORTED',
      });
      expect(await host.call('slow', [1])).toBe(1);
      expect(crashes).toEqual([]);
    });

    it('refuses an entry module that exports nothing usable with ENTRY_INVALID', async () => {
      const { error } = await harness.failToStart({ files: { 'main.mjs': 'export const nothing = 1;' } });
      expect(PluginError.is(error, 'ENTRY_INVALID')).toBe(true);
    });

    it('reports a throwing entry module as LOAD_FAILED with the cause', async () => {
      const { error } = await harness.failToStart({
        files: { 'main.mjs': 'throw new RangeError("bad start");' },
      });
      expect(PluginError.is(error, 'LOAD_FAILED')).toBe(true);
      expect(((error as PluginError).cause as Error).name).toBe('RangeError');
      expect(((error as PluginError).cause as Error).message).toBe('bad start');
    });

    it('ends the plugin on dispose, idempotently, without reporting a crash', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': greeterSource } });
      const pending = host.call('slow', [1000]).catch((error: unknown) => error);
      await host.dispose();
      await host.dispose();
      expect(await pending).toMatchObject({ code: crashCode });
      await expect(host.call('greet', ['x'])).rejects.toMatchObject({ code: crashCode });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(crashes).toEqual([]);
    });

    it('reports allowed checks as permission events with the plugin id', async () => {
      process.env.AGENTPLUG_HOST_API = 'declared';
      const { host, pluginId, events } = await harness.startPlugin({
        files: {
          'main.mjs':
            'import path from "node:path"; export class Plugin { join() { return path.join("a", String(process.env.AGENTPLUG_HOST_API)); } }',
        },
        permissions: { environment_variables: ['AGENTPLUG_HOST_API'] },
      });
      delete process.env.AGENTPLUG_HOST_API;
      expect(await host.call('join', [])).toBe('a/declared');
      await waitFor(() => events.some((event) => event.target === 'AGENTPLUG_HOST_API'));
      const event = events.find((candidate) => candidate.target === 'AGENTPLUG_HOST_API');
      expect(event).toMatchObject({ pluginId, capability: 'environment_variables', allowed: true });
      expect(event?.at).toBeInstanceOf(Date);
      // An allowed built-in import is reported where a module hook sees it: always in a worker; in a
      // process from Node 22.15 and 23.5 on (before, the permission model forbids the hooks thread).
      if (importsGated(tier)) {
        await waitFor(() => events.some((candidate) => candidate.target === 'node:path'));
        expect(events.find((candidate) => candidate.target === 'node:path')).toMatchObject({
          pluginId,
          capability: 'builtin',
          allowed: true,
        });
      }
    });
  });
}

describe('the worker tier', () => {
  const harness = createIsolatedPluginHarness(workerTier);
  afterAll(() => harness.cleanup());

  it('starts plugins without taking an inotify instance each (a per-user limit shared machine-wide)', async () => {
    const before = inotifyInstances();
    const hosts = [];
    for (let index = 0; index < 3; index += 1) {
      hosts.push((await harness.startPlugin({ files: { 'main.mjs': greeterSource } })).host);
    }
    expect(inotifyInstances()).toBe(before);
    await Promise.all(hosts.map((host) => host.dispose()));
  });
});
