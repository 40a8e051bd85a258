import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type IsolationMode,
  IsolationModeSchema,
  PluginError,
  type PluginMetadata,
  SandboxConfigSchema,
} from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPluginHost, HOST_FACTORIES } from './create-plugin-host';
import type { PluginHost, PluginHostOptions } from './plugin-host';

// The plugin reports whether it shares the test's globals: true in-process, false in a worker.
const PLUGIN_SOURCE = `
globalThis.__agentplugHostImports = (globalThis.__agentplugHostImports ?? 0) + 1;
export class Plugin {
  sharesGlobals() { return globalThis.__agentplugHostMarker === 'test'; }
}
`;

const marker = globalThis as { __agentplugHostMarker?: string; __agentplugHostImports?: number };
let folder: string;
const hosts: PluginHost[] = [];

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'agentplug-host-'));
  await writeFile(join(folder, 'main.mjs'), PLUGIN_SOURCE);
  marker.__agentplugHostMarker = 'test';
  marker.__agentplugHostImports = 0;
});

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.dispose();
  await rm(folder, { recursive: true, force: true });
});

function hostOptions(isolation: string): PluginHostOptions {
  const metadata = {
    plugin_id: 'com.test.host',
    name: 'host',
    version: '1.0.0',
    description: 'host strategy test',
    author: 'agentplug tests',
    plugin_type: 'tool',
    entry_point: 'main',
  } as PluginMetadata;
  return {
    pluginId: metadata.plugin_id,
    pluginPath: folder,
    entryModulePath: join(folder, 'main.mjs'),
    metadata,
    config: {},
    permissions: {
      filesystem_read: [],
      filesystem_write: [],
      network_hosts: [],
      external_apis: [],
      environment_variables: [],
    },
    // An unknown mode cannot pass the schema: put it in after, as a caller's bad input would arrive.
    sandbox: { ...SandboxConfigSchema.parse({}), isolation: isolation as IsolationMode },
  };
}

describe('createPluginHost', () => {
  it.each([
    ['none', true],
    ['worker', false],
  ] as const)('starts "%s" in its own kind of host', async (isolation, sharesGlobals) => {
    const host = await createPluginHost(hostOptions(isolation));
    hosts.push(host);
    expect(await host.call('sharesGlobals', [])).toBe(sharesGlobals);
  });

  it('has a host strategy for exactly the isolation modes models accepts', () => {
    for (const mode of ['none', 'worker', 'process', 'container', 'toString']) {
      expect(Object.hasOwn(HOST_FACTORIES, mode), mode).toBe(IsolationModeSchema.safeParse(mode).success);
    }
  });

  it('rejects an unknown isolation mode with INVALID_ARGUMENT before any plugin code runs', async () => {
    const pending = createPluginHost(hostOptions('container'));
    expect(pending).toBeInstanceOf(Promise);
    const error = await pending.catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as PluginError).details).toEqual({ pluginId: 'com.test.host', isolation: 'container' });
    expect(marker.__agentplugHostImports).toBe(0);
  });

  it('does not take an inherited property for a mode', async () => {
    const error = await createPluginHost(hostOptions('toString')).catch((caught: unknown) => caught);
    expect(PluginError.is(error, 'INVALID_ARGUMENT')).toBe(true);
  });
});
