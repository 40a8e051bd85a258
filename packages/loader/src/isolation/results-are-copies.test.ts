import { afterAll, describe, expect, it } from 'vitest';
import {
  createIsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
  workerTier,
} from './__fixtures__/isolated-plugin-harness';

// What an isolated plugin returns is the host's own copy: shared memory cannot ride along, and
// nothing the plugin does after answering changes what the host holds.

const sharingPlugin = `export class Plugin {
  shareView() {
    const shared = new Uint8Array(new SharedArrayBuffer(8));
    setTimeout(() => { shared[0] = 42; }, 10);
    return { view: shared, note: 'copied' };
  }
  shareBuffer() { return new SharedArrayBuffer(8); }
  later() { return new Promise((resolve) => setTimeout(resolve, 50)); }
}`;

for (const tier of [workerTier, processTierWithoutOs, processTier]) {
  describe(`results are copies (${tier.name})`, () => {
    const harness = createIsolatedPluginHarness(tier);
    afterAll(() => harness.cleanup());

    it('copies a view over shared memory, so later writes by the plugin do not reach the host', async () => {
      const { host } = await harness.startPlugin({ files: { 'main.mjs': sharingPlugin } });
      const result = (await host.call('shareView', [])) as { view: Uint8Array; note: string };
      expect(result.note).toBe('copied');
      expect(result.view.buffer).not.toBeInstanceOf(SharedArrayBuffer);
      await host.call('later', []);
      expect(result.view[0]).toBe(0);
    });

    it('refuses to send a SharedArrayBuffer itself, with DataCloneError', async () => {
      const { host } = await harness.startPlugin({ files: { 'main.mjs': sharingPlugin } });
      const error = await host.call('shareBuffer', []).catch((caught: unknown) => caught);
      expect((error as Error).name).toBe('DataCloneError');
      expect(await host.call('later', [])).toBeUndefined();
    });
  });
}
