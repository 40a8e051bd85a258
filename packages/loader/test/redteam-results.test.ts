import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../src/host/plugin-host';
import {
  createIsolatedPluginHarness,
  type HarnessTier,
  type IsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
  workerTier,
} from '../src/isolation/__fixtures__/isolated-plugin-harness';
import { detectOsSandbox } from '../src/isolation/process/detect-os-sandbox';

// Huge results: in a worker the host's own heap receives the copy of a result, so a plugin could
// grow the host's memory by hundreds of megabytes a call. Every tier refuses a result over 64 MB
// before any of it is sent (TOO_LARGE), and the plugin, the host and a bystander go on.

const plugin = `export class Plugin {
  ping() { return 'pong'; }
  text(megabytes) { return 'x'.repeat(megabytes * 1024 * 1024); }
  bytes(megabytes) { return new Uint8Array(megabytes * 1024 * 1024); }
  nested(megabytes) { return { parts: [new Uint8Array(megabytes * 512 * 1024), new Uint8Array(megabytes * 512 * 1024)] }; }
  deep(depth) { let value = []; for (let index = 0; index < depth; index += 1) value = [value]; return value; }
}`;

for (const tier of [workerTier, processTierWithoutOs, processTier] as HarnessTier[]) {
  describe(`huge results (${tier.name})`, () => {
    let harness: IsolatedPluginHarness;
    let host: PluginHost;
    let bystander: PluginHost;
    beforeAll(async () => {
      await detectOsSandbox();
      harness = createIsolatedPluginHarness(tier);
      ({ host } = await harness.startPlugin({
        files: { 'main.mjs': plugin },
        sandbox: { max_memory_mb: 256 },
      }));
      ({ host: bystander } = await harness.startPlugin({ files: { 'main.mjs': plugin } }));
    }, 60_000);
    afterAll(() => harness.cleanup());

    it.each([
      ['a string', 'text', 40],
      ['a buffer', 'bytes', 80],
      ['an object holding buffers', 'nested', 80],
    ])(
      'refuses %s over 64 MB with TOO_LARGE, and everyone goes on',
      async (_kind, method, megabytes) => {
        const error = await host.call(method, [megabytes]).catch((caught: unknown) => caught);
        expect(PluginError.is(error, 'TOO_LARGE'), String(error)).toBe(true);
        expect((error as Error).message).toContain(`${method}() returned too much`);
        expect(await host.call('ping', [])).toBe('pong');
        expect(await bystander.call('ping', [])).toBe('pong');
      },
      60_000,
    );

    it('answers a result nested deeper than a stack can copy with DataCloneError, and everyone goes on', async () => {
      const error = await host.call('deep', [1_000_000]).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('DataCloneError');
      expect(await host.call('ping', [])).toBe('pong');
      expect(await bystander.call('ping', [])).toBe('pong');
      let depth = 0;
      for (
        let value = (await host.call('deep', [1_000])) as unknown[];
        value.length > 0;
        value = value[0] as unknown[]
      )
        depth += 1;
      expect(depth).toBe(1_000);
    }, 60_000);

    it('still returns a large result under the limit', async () => {
      expect(((await host.call('bytes', [8])) as Uint8Array).byteLength).toBe(8 * 1024 * 1024);
      expect(((await host.call('text', [8])) as string).length).toBe(8 * 1024 * 1024);
    }, 60_000);
  });
}
