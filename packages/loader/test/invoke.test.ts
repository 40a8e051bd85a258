import { PluginError } from '@agentplug/models';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type CapabilitiesChangedEvent, PluginLoader } from '../src/index';
import {
  createPluginDirectory,
  echoCapability,
  type TemporaryPluginDirectory,
} from './helpers/plugin-folders';

const toolSource = `
export class Plugin {
  constructor(metadata, config) { this.metadata = metadata; this.config = config; }
  async add(params) { return params.left + params.right + (params.offset ?? 0); }
  async echo(params) { return params; }
  wait(params) { return new Promise((resolve) => setTimeout(() => resolve('done'), params.ms)); }
  async fail() { const error = new Error('plugin says no'); error.code = 'E_PLUGIN'; throw error; }
}
`;

const capabilities = [
  {
    name: 'add',
    description: 'Adds two numbers',
    parameters: {
      type: 'object',
      properties: {
        left: { type: 'number' },
        right: { type: 'number' },
        offset: { type: 'number', default: 100 },
      },
      required: ['left', 'right'],
      additionalProperties: false,
    },
  },
  echoCapability,
  { name: 'wait', parameters: { type: 'object', properties: { ms: { type: 'integer' } } } },
  { name: 'fail' },
  { name: 'missing', description: 'Declared but not implemented' },
];

let directory: TemporaryPluginDirectory;
let loader: PluginLoader;

beforeEach(async () => {
  directory = await createPluginDirectory();
  await directory.writePlugin({
    id: 'com.test.tools',
    manifest: { capabilities },
    files: { 'main.mjs': toolSource },
  });
  loader = new PluginLoader({ pluginDirectory: directory.path });
});

afterEach(async () => {
  await loader.close();
  await directory.remove();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return PluginError.is(error) ? error.code : `not a PluginError: ${String(error)}`;
}

describe('invoke', () => {
  it('validates params, fills defaults in a copy, and passes the object as the one argument', async () => {
    await loader.loadPlugin('com.test.tools');
    await loader.activatePlugin('com.test.tools');
    const params = { left: 1, right: 2 };
    expect(await loader.invoke('com.test.tools', 'add', params)).toBe(103);
    expect(params).toEqual({ left: 1, right: 2 });
    expect(await loader.invoke('com.test.tools', 'add', { left: 1, right: 2, offset: 0 })).toBe(3);
    expect(await loader.invoke('com.test.tools', 'echo')).toEqual({});
  });

  it('refuses with NOT_ACTIVE unless the plugin is ACTIVE, and PLUGIN_NOT_FOUND for unknown plugins', async () => {
    expect(await codeOf(loader.invoke('com.test.nothing', 'add', {}))).toBe('PLUGIN_NOT_FOUND');
    await loader.loadPlugin('com.test.tools');
    expect(await codeOf(loader.invoke('com.test.tools', 'add', { left: 1, right: 2 }))).toBe('NOT_ACTIVE');
    await loader.activatePlugin('com.test.tools');
    await loader.deactivatePlugin('com.test.tools');
    expect(await codeOf(loader.invoke('com.test.tools', 'add', { left: 1, right: 2 }))).toBe('NOT_ACTIVE');
    await loader.unloadPlugin('com.test.tools');
    expect(await codeOf(loader.invoke('com.test.tools', 'add', { left: 1, right: 2 }))).toBe('NOT_ACTIVE');
  });

  it('refuses undeclared and unimplemented capabilities with CAPABILITY_NOT_FOUND', async () => {
    await loader.loadPlugin('com.test.tools');
    await loader.activatePlugin('com.test.tools');
    expect(await codeOf(loader.invoke('com.test.tools', 'multiply', {}))).toBe('CAPABILITY_NOT_FOUND');
    expect(await codeOf(loader.invoke('com.test.tools', 'missing', {}))).toBe('CAPABILITY_NOT_FOUND');
    expect(await codeOf(loader.invoke('com.test.tools', 'constructor', {}))).toBe('CAPABILITY_NOT_FOUND');
  });

  it('refuses invalid params with INVALID_PARAMS naming each path', async () => {
    await loader.loadPlugin('com.test.tools');
    await loader.activatePlugin('com.test.tools');
    const error = await loader
      .invoke('com.test.tools', 'add', { left: 'one', extra: true })
      .catch((caught) => caught);
    expect(PluginError.is(error, 'INVALID_PARAMS')).toBe(true);
    const paths = ((error as PluginError).details.issues as Array<{ path: string }>)
      .map((issue) => issue.path)
      .sort();
    expect(paths).toEqual(['$.extra', '$.left', '$.right']);
    // A host that logs one line still learns why.
    const [firstLine] = (error as PluginError).message.split('\n');
    expect(firstLine).toMatch(/^invalid params for com\.test\.tools\.add: \$\.\S+: .+ \(and 2 more\)$/);
    expect(await codeOf(loader.invoke('com.test.tools', 'add', 'not an object'))).toBe('INVALID_PARAMS');
  });

  it('passes plugin errors through unchanged', async () => {
    await loader.loadPlugin('com.test.tools');
    await loader.activatePlugin('com.test.tools');
    const error = await loader.invoke('com.test.tools', 'fail', {}).catch((caught) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error & { code: string }).code).toBe('E_PLUGIN');
    expect((error as Error).message).toBe('plugin says no');
  });

  it('rejects with TIMEOUT past timeoutMs and with ABORTED when the signal aborts', async () => {
    await loader.loadPlugin('com.test.tools');
    await loader.activatePlugin('com.test.tools');
    expect(await codeOf(loader.invoke('com.test.tools', 'wait', { ms: 1000 }, { timeoutMs: 10 }))).toBe(
      'TIMEOUT',
    );
    const controller = new AbortController();
    const pending = loader.invoke('com.test.tools', 'wait', { ms: 1000 }, { signal: controller.signal });
    controller.abort();
    expect(await codeOf(pending)).toBe('ABORTED');
    expect(
      await codeOf(loader.invoke('com.test.tools', 'wait', { ms: 1 }, { signal: controller.signal })),
    ).toBe('ABORTED');
    expect(await loader.invoke('com.test.tools', 'wait', { ms: 1 }, { timeoutMs: 1000 })).toBe('done');
  });

  it('lists the capabilities of ACTIVE plugins only, and says when they change', async () => {
    await directory.writePlugin({ id: 'com.test.other', manifest: { capabilities: [echoCapability] } });
    const changes: CapabilitiesChangedEvent[] = [];
    loader.on('capabilitiesChanged', (event) => changes.push(event));
    await loader.loadPlugin('com.test.tools');
    await loader.loadPlugin('com.test.other');
    expect(loader.listCapabilities()).toEqual([]);
    await loader.activatePlugin('com.test.tools');
    await loader.activatePlugin('com.test.other');
    const listed = loader.listCapabilities().map((entry) => `${entry.pluginId}/${entry.capability.name}`);
    expect(listed).toEqual([
      'com.test.other/echo',
      'com.test.tools/add',
      'com.test.tools/echo',
      'com.test.tools/wait',
      'com.test.tools/fail',
      'com.test.tools/missing',
    ]);
    expect(loader.listCapabilities()[1]?.capability.parameters).toEqual(capabilities[0]?.parameters);
    await loader.deactivatePlugin('com.test.other');
    await loader.unloadPlugin('com.test.tools');
    expect(loader.listCapabilities()).toEqual([]);
    expect(changes).toEqual([
      { pluginId: 'com.test.tools', reason: 'activate' },
      { pluginId: 'com.test.other', reason: 'activate' },
      { pluginId: 'com.test.other', reason: 'deactivate' },
      { pluginId: 'com.test.tools', reason: 'deactivate' },
      { pluginId: 'com.test.tools', reason: 'unload' },
    ]);
  });

  it('filters listPlugins by status and type', async () => {
    await directory.writePlugin({ id: 'com.test.engine', manifest: { plugin_type: 'engine' } });
    await loader.loadPlugin('com.test.tools');
    await loader.loadPlugin('com.test.engine');
    await loader.activatePlugin('com.test.engine');
    const ids = (options: Parameters<PluginLoader['listPlugins']>[0]) =>
      loader.listPlugins(options).map((state) => state.metadata.plugin_id);
    expect(ids({})).toEqual(['com.test.engine', 'com.test.tools']);
    expect(ids({ status: 'active' })).toEqual(['com.test.engine']);
    expect(ids({ type: 'tool' })).toEqual(['com.test.tools']);
    expect(ids({ status: 'active', type: 'tool' })).toEqual([]);
  });

  it('a listener that throws disturbs nothing', async () => {
    loader.on('stateChange', () => {
      throw new Error('listener broke');
    });
    const seen: string[] = [];
    const stop = loader.on('stateChange', (event) => seen.push(event.to));
    await loader.loadPlugin('com.test.tools');
    stop();
    await loader.activatePlugin('com.test.tools');
    expect(seen).toEqual(['loading', 'loaded']);
    expect(loader.getPluginState('com.test.tools')?.status).toBe('active');
  });
});
