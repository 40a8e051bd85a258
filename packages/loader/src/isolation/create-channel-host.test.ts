import { PluginError, type PluginMetadata } from '@agentplug/models';
import { describe, expect, it } from 'vitest';
import type { PermissionEvent } from '../host/plugin-host';
import { type ChannelHost, createChannelHost } from './create-channel-host';
import type { CallMessage } from './plugin-message';

// The host side of the channel, fed directly: whatever a plugin could post (if it ever reached
// its end of a worker's port) is checked, never throws, and ends that plugin when it is a lie.

interface Fed {
  channelHost: ChannelHost;
  sent: CallMessage[];
  crashes: Error[];
  events: PermissionEvent[];
  terminated: () => number;
}

function feed(): Fed {
  const sent: CallMessage[] = [];
  const crashes: Error[] = [];
  const events: PermissionEvent[] = [];
  let terminations = 0;
  const channelHost = createChannelHost({
    host: {
      pluginId: 'com.test.fed',
      pluginPath: '/nowhere',
      entryModulePath: '/nowhere/main.mjs',
      metadata: {} as PluginMetadata,
      config: {},
      permissions: {
        filesystem_read: [],
        filesystem_write: [],
        network_hosts: [],
        external_apis: [],
        environment_variables: [],
      },
      sandbox: { max_execution_time_seconds: 5, max_memory_mb: 64, isolation: 'worker' },
      onCrash: (error) => crashes.push(error),
      onPermissionEvent: (event) => events.push(event),
    },
    layers: {
      isolation: 'worker',
      process: false,
      permissionModel: false,
      policy: true,
      os: false,
      network: 'policy',
    },
    values: 'encoded',
    noun: 'worker',
    crashCode: 'WORKER_CRASHED',
  });
  channelHost.attach({
    send: (message) => {
      sent.push(message);
    },
    terminate: async () => {
      terminations += 1;
    },
  });
  return { channelHost, sent, crashes, events, terminated: () => terminations };
}

async function started(): Promise<Fed & { host: Awaited<ChannelHost['ready']> }> {
  const fed = feed();
  fed.channelHost.receive({ type: 'booted' });
  fed.channelHost.receive({ type: 'ready', methods: ['work'] });
  return { ...fed, host: await fed.channelHost.ready };
}

describe('createChannelHost', () => {
  const garbage: [string, unknown][] = [
    ['null', null],
    ['a number', 7],
    ['an array', [{ type: 'result' }]],
    ['an unknown type', { type: 'spawn' }],
    ['a result without an id', { type: 'result', value: 1 }],
    [
      'a result with an object value that was not encoded',
      { type: 'result', id: 1, value: { shared: new SharedArrayBuffer(4) } },
    ],
    [
      'encoded bytes over shared memory',
      { type: 'result', id: 1, encoded: new Uint8Array(new SharedArrayBuffer(4)) },
    ],
    ['encoded bytes that do not decode', { type: 'result', id: 1, encoded: new Uint8Array([1, 2, 3]) }],
    ['an error whose message is not text', { type: 'error', id: 1, error: { name: 'Error', message: {} } }],
    ['a method list that is not a list', { type: 'ready', methods: 'work' }],
    ['a permission event without a verdict', { type: 'permission', capability: 'network', target: 'x' }],
    [
      'a huge permission target',
      { type: 'permission', capability: 'network', target: 'x'.repeat(5000), allowed: true },
    ],
  ];
  for (const [name, message] of garbage) {
    it(`ends the plugin, without throwing, when it sends ${name}`, async () => {
      const { channelHost, host, crashes, terminated } = await started();
      const pending = host.call('work', []).catch((error: unknown) => error);
      expect(() => channelHost.receive(message)).not.toThrow();
      const error = await pending;
      expect(PluginError.is(error, 'PROTOCOL_VIOLATION'), String(error)).toBe(true);
      expect(crashes).toHaveLength(1);
      expect(terminated()).toBe(1);
      await expect(host.call('work', [])).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    });
  }

  it('ends a plugin that answers a call twice, and ignores the late answer of an aborted call', async () => {
    const { channelHost, host, sent, crashes } = await started();
    const controller = new AbortController();
    const aborted = host.call('work', [], { signal: controller.signal }).catch((error: unknown) => error);
    controller.abort();
    expect(PluginError.is(await aborted, 'ABORTED')).toBe(true);
    channelHost.receive({ type: 'result', id: sent[0]?.id, value: 'late' });
    expect(crashes).toEqual([]);
    const answered = host.call('work', []);
    channelHost.receive({ type: 'result', id: sent[1]?.id, value: 'once' });
    expect(await answered).toBe('once');
    channelHost.receive({ type: 'result', id: sent[1]?.id, value: 'twice' });
    expect(crashes).toHaveLength(1);
    expect(PluginError.is(crashes[0], 'PROTOCOL_VIOLATION')).toBe(true);
  });

  it('refuses answers before the plugin is ready, and a ready before it booted', async () => {
    const early = feed();
    early.channelHost.receive({ type: 'ready', methods: [] });
    await expect(early.channelHost.ready).rejects.toMatchObject({ code: 'PROTOCOL_VIOLATION' });
    const answering = feed();
    answering.channelHost.receive({ type: 'booted' });
    answering.channelHost.receive({ type: 'result', id: 1, value: 'unasked' });
    await expect(answering.channelHost.ready).rejects.toMatchObject({ code: 'PROTOCOL_VIOLATION' });
  });

  it("decodes encoded results into the host's own copy and passes permission events on", async () => {
    const { channelHost, host, sent, events } = await started();
    const { serialize } = await import('node:v8');
    const pending = host.call('work', []);
    channelHost.receive({
      type: 'permission',
      capability: 'network',
      target: 'api.example.com:443',
      allowed: true,
    });
    channelHost.receive({
      type: 'result',
      id: sent[0]?.id,
      encoded: new Uint8Array(serialize({ list: [1, 2], when: new Date(5) })),
    });
    expect(await pending).toEqual({ list: [1, 2], when: new Date(5) });
    expect(events).toEqual([
      expect.objectContaining({ pluginId: 'com.test.fed', capability: 'network', allowed: true }),
    ]);
  });
});
