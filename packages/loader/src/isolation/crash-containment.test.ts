import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../host/plugin-host';
import { createIsolatedPluginHarness } from './__fixtures__/isolated-plugin-harness';

const harness = createIsolatedPluginHarness();
let sentinel: PluginHost;

beforeAll(async () => {
  ({ host: sentinel } = await harness.startPlugin({
    files: { 'main.mjs': 'export class Plugin { ping() { return "pong"; } }' },
  }));
});
afterAll(() => harness.cleanup());

/** The host process and another isolated plugin go on. */
async function expectOthersUnharmed(): Promise<void> {
  expect(await sentinel.call('ping', [])).toBe('pong');
  expect(process.exitCode ?? 0).toBe(0);
}

const crashingSource = `
export class Plugin {
  ping() { return 'pong'; }
  spin() { for (;;) {} }
  slowly() { return new Promise((resolve) => setTimeout(resolve, 5000)); }
  hoard() { const hoard = []; for (;;) hoard.push(new Array(100000).fill(Math.random())); }
  exit() { process.exit(3); }
  rejectLater() { Promise.reject(new Error('nobody listens')); return 'returned'; }
  throwLater() { setTimeout(() => { throw new Error('thrown in a timer'); }, 1); return 'returned'; }
}
`;

describe('crash containment', () => {
  it('terminates a call past its time limit with TIMEOUT and fails only that plugin', async () => {
    const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
    const other = host.call('slowly', []).catch((error: unknown) => error);
    const error = await host.call('spin', [], { timeoutMs: 300 }).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'TIMEOUT')).toBe(true);
    expect(PluginError.is(await other, 'WORKER_CRASHED')).toBe(true);
    expect(crashes).toHaveLength(1);
    expect(PluginError.is(crashes[0], 'TIMEOUT')).toBe(true);
    await expect(host.call('ping', [])).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await expectOthersUnharmed();
  });

  it('applies sandbox.max_execution_time_seconds to hooks', async () => {
    const { host, crashes } = await harness.startPlugin({
      files: { 'main.mjs': 'export class Plugin { activate() { for (;;) {} } }' },
      sandbox: { max_execution_time_seconds: 0.4 },
    });
    await expect(host.callHook('activate')).rejects.toMatchObject({ code: 'TIMEOUT' });
    expect(crashes).toHaveLength(1);
    await expectOthersUnharmed();
  });

  it('times out a load that never finishes', async () => {
    const { error } = await harness.failToStart({
      files: { 'main.mjs': 'for (;;) {}' },
      sandbox: { max_execution_time_seconds: 0.4 },
    });
    expect(PluginError.is(error, 'TIMEOUT')).toBe(true);
    await expectOthersUnharmed();
  });

  it('contains a memory bomb with OUT_OF_MEMORY', async () => {
    const { host, crashes } = await harness.startPlugin({
      files: { 'main.mjs': crashingSource },
      sandbox: { max_memory_mb: 32, max_execution_time_seconds: 20 },
    });
    await expect(host.call('hoard', [])).rejects.toMatchObject({ code: 'OUT_OF_MEMORY' });
    expect(crashes).toHaveLength(1);
    expect(PluginError.is(crashes[0], 'OUT_OF_MEMORY')).toBe(true);
    await expectOthersUnharmed();
  });

  it('contains process.exit with WORKER_CRASHED and the exit code', async () => {
    const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
    const error = await host.call('exit', []).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'WORKER_CRASHED')).toBe(true);
    expect((error as PluginError).details).toEqual({ exitCode: 3 });
    expect(crashes).toHaveLength(1);
    await expectOthersUnharmed();
  });

  it('contains an unhandled rejection with WORKER_CRASHED', async () => {
    const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
    const result = await host.call('rejectLater', []).catch((caught: unknown) => caught);
    // The call may answer before the rejection is noticed; the crash follows either way.
    if (result !== 'returned') expect(PluginError.is(result, 'WORKER_CRASHED')).toBe(true);
    await expect.poll(() => crashes.length).toBe(1);
    expect(PluginError.is(crashes[0], 'WORKER_CRASHED')).toBe(true);
    expect(crashes[0]?.message).toContain('nobody listens');
    await expect(host.call('ping', [])).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    await expectOthersUnharmed();
  });

  it('contains an uncaught exception thrown outside any call', async () => {
    const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
    expect(await host.call('throwLater', [])).toBe('returned');
    await expect.poll(() => crashes.length).toBe(1);
    expect(crashes[0]?.message).toContain('thrown in a timer');
    await expectOthersUnharmed();
  });

  it('contains an exit during load', async () => {
    const { error } = await harness.failToStart({ files: { 'main.mjs': 'process.exit(7);' } });
    expect(PluginError.is(error, 'WORKER_CRASHED')).toBe(true);
    await expectOthersUnharmed();
  });

  for (const hook of ['initialize', 'activate', 'deactivate', 'cleanup'] as const) {
    it(`returns the error thrown in ${hook}() without harming anyone`, async () => {
      const { host, crashes } = await harness.startPlugin({
        files: {
          'main.mjs': `export class Plugin {
            ping() { return 'pong'; }
            async ${hook}() { throw new SyntaxError('${hook} went wrong'); }
          }`,
        },
      });
      const error = await host.callHook(hook).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('SyntaxError');
      expect((error as Error).message).toBe(`${hook} went wrong`);
      expect((error as Error).stack).toContain(hook);
      // A throwing hook is the plugin's failure (the loader marks it FAILED), not a worker crash.
      expect(crashes).toEqual([]);
      expect(await host.call('ping', [])).toBe('pong');
      await expectOthersUnharmed();
    });
  }
});
