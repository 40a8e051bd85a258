import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../../host/plugin-host';
import { createIsolatedPluginHarness, type HarnessTier } from './isolated-plugin-harness';

/**
 * Defines the crash-containment tests for one tier: a plugin that hangs, hoards memory, exits,
 * rejects or throws in the background ends only itself (with TIMEOUT, OUT_OF_MEMORY or the tier's
 * crash code); the host and a bystander plugin go on.
 */
export function defineCrashContainment(tier: HarnessTier): void {
  const harness = createIsolatedPluginHarness(tier);
  const crashCode = tier.isolation === 'worker' ? 'WORKER_CRASHED' : 'PROCESS_CRASHED';
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
  throwRightAfter() { const late = (depth) => queueMicrotask(() => { if (depth === 0) throw new Error('thrown right after the reply'); late(depth - 1); }); late(6); return 'returned'; }
}
`;

  describe(`crash containment (${tier.name})`, () => {
    it('terminates a call past its time limit with TIMEOUT and fails only that plugin', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
      const other = host.call('slowly', []).catch((error: unknown) => error);
      const error = await host.call('spin', [], { timeoutMs: 300 }).catch((caught: unknown) => caught);
      expect(PluginError.is(error, 'TIMEOUT')).toBe(true);
      expect(PluginError.is(await other, crashCode)).toBe(true);
      expect(crashes).toHaveLength(1);
      expect(PluginError.is(crashes[0], 'TIMEOUT')).toBe(true);
      await expect(host.call('ping', [])).rejects.toMatchObject({ code: crashCode });
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

    it('contains process.exit with the crash code and the exit code', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
      const error = await host.call('exit', []).catch((caught: unknown) => caught);
      expect(PluginError.is(error, crashCode)).toBe(true);
      expect((error as PluginError).details).toMatchObject({ exitCode: 3 });
      expect(crashes).toHaveLength(1);
      await expectOthersUnharmed();
    });

    it('contains an unhandled rejection with the crash code', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
      const result = await host.call('rejectLater', []).catch((caught: unknown) => caught);
      // The call may answer before the rejection is noticed; the crash follows either way.
      if (result !== 'returned') expect(PluginError.is(result, crashCode)).toBe(true);
      await expect.poll(() => crashes.length).toBe(1);
      expect(PluginError.is(crashes[0], crashCode)).toBe(true);
      expect(crashes[0]?.message).toContain('nobody listens');
      await expect(host.call('ping', [])).rejects.toMatchObject({ code: crashCode });
      await expectOthersUnharmed();
    });

    it('contains an uncaught exception thrown outside any call', async () => {
      const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
      expect(await host.call('throwLater', [])).toBe('returned');
      await expect.poll(() => crashes.length).toBe(1);
      expect(crashes[0]?.message).toContain('thrown in a timer');
      await expectOthersUnharmed();
    });

    it('delivers a reply sent just before the plugin crashed, every time', async () => {
      // The crash can reach the host before the reply that preceded it has been dispatched.
      for (let round = 0; round < 12; round += 1) {
        const { host, crashes } = await harness.startPlugin({ files: { 'main.mjs': crashingSource } });
        expect(await host.call('throwRightAfter', [])).toBe('returned');
        await expect.poll(() => crashes.length).toBe(1);
        expect(crashes[0]?.message).toContain('thrown right after the reply');
      }
      await expectOthersUnharmed();
    }, 60_000);

    it('contains an exit during load', async () => {
      const { error } = await harness.failToStart({ files: { 'main.mjs': 'process.exit(7);' } });
      expect(PluginError.is(error, crashCode)).toBe(true);
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

    if (tier.isolation === 'process') {
      it('kills the process of a call past its time limit: its background work stops too', async () => {
        const { host, crashes, pluginPath } = await harness.startPlugin({
          files: {
            'main.mjs': `import fs from 'node:fs';
export class Plugin {
  start() { let beat = 0; setInterval(() => fs.writeFileSync(new URL('./out/beat', import.meta.url), String(beat++)), 20); return 'beating'; }
  spin() { for (;;) {} }
}`,
          },
          permissions: { filesystem_write: ['./out'] },
        });
        expect(await host.call('start', [])).toBe('beating');
        await expect.poll(() => readFileSync(join(pluginPath, 'out', 'beat'), 'utf8') !== '0').toBe(true);
        await expect(host.call('spin', [], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
        expect(crashes).toHaveLength(1);
        const stopped = statSync(join(pluginPath, 'out', 'beat')).mtimeMs;
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(statSync(join(pluginPath, 'out', 'beat')).mtimeMs).toBe(stopped);
        await expectOthersUnharmed();
      });

      it('ends a plugin that burns its CPU time limit in the background, between calls', async () => {
        const { host, crashes } = await harness.startPlugin({
          files: {
            'main.mjs':
              'export class Plugin { burn() { setTimeout(() => { for (;;) {} }, 0); return "burning"; } }',
          },
          processSandbox: { cpuTimeLimitSeconds: 1 },
        });
        expect(await host.call('burn', [])).toBe('burning');
        await expect.poll(() => crashes.length, { timeout: 20_000 }).toBe(1);
        expect(PluginError.is(crashes[0], 'PROCESS_CRASHED')).toBe(true);
        expect((crashes[0] as PluginError).details).toMatchObject({ reason: 'cpu_time_limit' });
        await expectOthersUnharmed();
      }, 30_000);

      it('reports a native abort with the signal', async () => {
        const { host, crashes } = await harness.startPlugin({
          files: { 'main.mjs': 'export class Plugin { abort() { process.abort(); } }' },
        });
        const error = await host.call('abort', []).catch((caught: unknown) => caught);
        expect(PluginError.is(error, 'PROCESS_CRASHED')).toBe(true);
        expect((error as PluginError).details).toMatchObject({ signal: 'SIGABRT', reason: 'native_abort' });
        expect(crashes).toHaveLength(1);
        await expectOthersUnharmed();
      });

      it('bounds memory outside the V8 heap by the address-space limit', async () => {
        const { host, crashes } = await harness.startPlugin({
          files: {
            'main.mjs': `export class Plugin {
  grab() { const kept = []; try { for (let index = 0; index < 4096; index += 1) kept.push(Buffer.allocUnsafe(64 * 1024 * 1024)); } catch (error) { return { refusedAfterMb: kept.length * 64, error: error.name }; } return { refusedAfterMb: null }; }
  ping() { return 'pong'; }
}`,
          },
          processSandbox: { addressSpaceLimitMb: 2048 },
        });
        const outcome = (await host.call('grab', [])) as { refusedAfterMb: number | null; error: string };
        expect(outcome.refusedAfterMb).not.toBeNull();
        expect(outcome.refusedAfterMb as number).toBeLessThan(2048);
        expect(await host.call('ping', [])).toBe('pong');
        expect(crashes).toEqual([]);
        await expectOthersUnharmed();
      });

      it("keeps the host's thread pool free while a plugin queues slow crypto jobs on its own", async () => {
        const { host } = await harness.startPlugin({
          files: {
            'main.mjs': `import crypto from 'node:crypto';
export class Plugin { flood() { for (let index = 0; index < 8; index += 1) crypto.pbkdf2('secret', 'salt', 3_000_000, 64, 'sha512', () => {}); return 'queued'; } }`,
          },
        });
        expect(await host.call('flood', [])).toBe('queued');
        const started = performance.now();
        for (let index = 0; index < 8; index += 1) await readFile(new URL(import.meta.url));
        // The jobs take seconds each on this pool size; the host's reads waited for none of them.
        expect(performance.now() - started).toBeLessThan(3_000);
        await host.dispose();
        await expectOthersUnharmed();
      });
    }
  });
}
