import { PluginError } from '@agentplug/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PluginHost } from '../../host/plugin-host';
import {
  createIsolatedPluginHarness,
  processTier,
  processTierWithoutOs,
} from '../__fixtures__/isolated-plugin-harness';
import { encodeFrame } from './frame-codec';

// A plugin process can reach its own end of the channel: it is in the plugin's own realm. Whatever it writes there is
// untrusted input to the host: each kind of lie or garbage ends that plugin with
// PROTOCOL_VIOLATION, reported once, while the host and a bystander plugin go on.

// The runtime writes with a captured method and uses no handle list, but the socket emits each
// incoming frame through EventEmitter.prototype.emit: replacing it catches the socket the next
// time the host calls.
const forgingPlugin = `import { EventEmitter } from 'node:events';
let channel;
export class Plugin {
  constructor(metadata, config) { this.config = config; }
  ping() { return 'pong'; }
  lurk() {
    const original = EventEmitter.prototype.emit;
    EventEmitter.prototype.emit = function (...args) { if (args[0] === 'data' && typeof this.write === 'function') channel ??= this; return original.apply(this, args); };
    return 'lurking';
  }
  async forge() {
    const bytes = Buffer.from(this.config.bytes, 'base64');
    for (let index = 0; index < this.config.repeat; index += 1) channel.write(bytes);
    return new Promise(() => {});
  }
}`;

function header(length: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(length, 0);
  return bytes;
}

const lies: { name: string; bytes: Buffer; repeat?: number; reason: RegExp }[] = [
  {
    name: 'bytes that do not decode',
    bytes: Buffer.concat([header(5), Buffer.from([1, 2, 3, 4, 5])]),
    reason: /decode/,
  },
  { name: 'a frame longer than the limit', bytes: header(0xffff_fff0), reason: /limit/ },
  {
    name: 'an answer to a call that was never made',
    bytes: encodeFrame({ type: 'result', id: 99_999, value: 'forged' }),
    reason: /not made/,
  },
  {
    name: 'a second ready',
    bytes: encodeFrame({ type: 'ready', methods: ['forge'] }),
    reason: /out of order/,
  },
  {
    name: 'a message of an unknown type',
    bytes: encodeFrame({ type: 'shell', command: 'rm -rf /' }),
    reason: /unknown type/,
  },
  { name: 'null', bytes: encodeFrame(null), reason: /not an object/ },
  {
    name: 'an error with a name that is not text',
    bytes: encodeFrame({ type: 'error', id: 1, error: { name: 7, message: 'x' } }),
    reason: /error/,
  },
  {
    name: 'a flood of permission events',
    bytes: encodeFrame({ type: 'permission', capability: 'network', target: 'flood', allowed: true }),
    // Faster than any refill: the burst allowance runs out, whatever the machine's speed.
    repeat: 40_000,
    reason: /flooded/,
  },
];

// The OS layer does not touch the channel, but each tier is tried: with and without it.
for (const tier of [processTier, processTierWithoutOs]) {
  describe(`the channel from a plugin process is untrusted input (${tier.name})`, () => {
    const harness = createIsolatedPluginHarness(tier);
    let bystander: PluginHost;

    beforeAll(async () => {
      ({ host: bystander } = await harness.startPlugin({
        files: { 'main.mjs': 'export class Plugin { ping() { return "pong"; } }' },
      }));
    });
    afterAll(() => harness.cleanup());

    for (const lie of lies) {
      it(`ends a plugin that sends ${lie.name}, and only that plugin`, { timeout: 60_000 }, async () => {
        const { host, crashes, events } = await harness.startPlugin({
          files: { 'main.mjs': forgingPlugin },
          config: { bytes: lie.bytes.toString('base64'), repeat: lie.repeat ?? 1 },
          sandbox: { max_execution_time_seconds: 60 },
        });
        expect(await host.call('lurk', [])).toBe('lurking');
        const error = await host.call('forge', []).catch((caught: unknown) => caught);
        expect(PluginError.is(error, 'PROTOCOL_VIOLATION'), String(error)).toBe(true);
        expect((error as PluginError).message).toMatch(lie.reason);
        expect(crashes).toHaveLength(1);
        expect(PluginError.is(crashes[0], 'PROTOCOL_VIOLATION')).toBe(true);
        await expect(host.call('ping', [])).rejects.toMatchObject({ code: 'PROCESS_CRASHED' });
        // A flood ends the plugin before most of it reaches the audit trail.
        expect(events.filter((event) => event.target === 'flood').length).toBeLessThan(40_000);
        expect(await bystander.call('ping', [])).toBe('pong');
      });
    }

    it('lets a plugin answer only its own pending call, with its own answer', async () => {
      const { host, crashes } = await harness.startPlugin({
        files: {
          'main.mjs': `export class Plugin { answer(value) { return { echoed: value, when: new Date(0), map: new Map([[1, 'one']]) }; } }`,
        },
      });
      expect(await host.call('answer', ['x'])).toEqual({
        echoed: 'x',
        when: new Date(0),
        map: new Map([[1, 'one']]),
      });
      expect(crashes).toEqual([]);
    });
  });
}
