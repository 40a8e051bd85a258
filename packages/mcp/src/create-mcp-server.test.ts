import { PluginError } from '@agentplug/models';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import { MemoryPluginSource } from './__fixtures__/memory-plugin-source';
import { createMcpServer, type McpPluginServer } from './create-mcp-server';
import type { McpServerOptions, McpToolCallEvent } from './mcp-server-options';

const opened: { client: Client; mcp: McpPluginServer }[] = [];

afterEach(async () => {
  for (const { client, mcp } of opened.splice(0)) {
    await client.close();
    await mcp.close();
  }
});

function createCalculatorSource(): MemoryPluginSource {
  const source = new MemoryPluginSource();
  source.addPlugin('com.example.calculator', {
    add: {
      capability: {
        description: 'Adds two numbers',
        parameters: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
        },
      },
      handler: ({ a, b }) => ({ sum: Number(a) + Number(b) }),
    },
    echo: { handler: ({ text }) => String(text) },
    fail: {
      handler: () => {
        throw new PluginError('TIMEOUT', 'fail of com.example.calculator took longer than 50 ms');
      },
    },
    crash: {
      handler: () => {
        throw new TypeError('cannot read properties of undefined');
      },
    },
  });
  return source;
}

async function connect(source: MemoryPluginSource, options: McpServerOptions = {}) {
  const mcp = createMcpServer(source, options);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await mcp.connect(serverTransport);
  await client.connect(clientTransport);
  opened.push({ client, mcp });
  return { client, mcp };
}

describe('createMcpServer', () => {
  it('lists the capabilities of active plugins as tools with their schemas', async () => {
    const { client } = await connect(createCalculatorSource());
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'com_example_calculator__add',
      'com_example_calculator__crash',
      'com_example_calculator__echo',
      'com_example_calculator__fail',
    ]);
    expect(tools[0]).toMatchObject({
      name: 'com_example_calculator__add',
      title: 'com.example.calculator: add',
      description: 'Adds two numbers',
      inputSchema: {
        type: 'object',
        properties: { a: { type: 'number' }, b: { type: 'number' } },
        required: ['a', 'b'],
      },
      _meta: { 'agentplug/pluginId': 'com.example.calculator', 'agentplug/capability': 'add' },
    });
  });

  it('announces itself as agentplug with this package version by default', async () => {
    const { client } = await connect(createCalculatorSource());
    expect(client.getServerVersion()).toMatchObject({ name: 'agentplug', version: packageJson.version });
  });

  it('announces the tools capability with listChanged', async () => {
    const { client } = await connect(createCalculatorSource(), { name: 'my-host', version: '2.0.0' });
    expect(client.getServerCapabilities()?.tools).toEqual({ listChanged: true });
    expect(client.getServerVersion()).toMatchObject({ name: 'my-host', version: '2.0.0' });
  });

  it('leaves out filtered plugins and capabilities, and refuses to call them', async () => {
    const source = createCalculatorSource();
    source.addPlugin('com.example.files', { delete: { handler: () => 'deleted' } });
    const { client } = await connect(source, {
      excludePlugins: ['com.example.files'],
      includeCapabilities: ['add', 'echo'],
    });
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual([
      'com_example_calculator__add',
      'com_example_calculator__echo',
    ]);
    await expect(client.callTool({ name: 'com_example_files__delete', arguments: {} })).rejects.toMatchObject(
      {
        code: -32602,
      },
    );
    expect(source.calls).toEqual([]);
  });

  it('calls the capability and returns text and structured content', async () => {
    const source = createCalculatorSource();
    const { client } = await connect(source);
    const result = await client.callTool({ name: 'com_example_calculator__add', arguments: { a: 2, b: 3 } });
    expect(result).toEqual({
      content: [{ type: 'text', text: '{"sum":5}' }],
      structuredContent: { sum: 5 },
    });
    expect(source.calls).toEqual([
      { pluginId: 'com.example.calculator', capability: 'add', params: { a: 2, b: 3 } },
    ]);
    const echoed = await client.callTool({ name: 'com_example_calculator__echo', arguments: { text: 'hi' } });
    expect(echoed).toEqual({ content: [{ type: 'text', text: 'hi' }] });
  });

  it('turns a plugin error into a readable tool error with its code and hint, and keeps serving', async () => {
    const { client } = await connect(createCalculatorSource());
    const failed = await client.callTool({ name: 'com_example_calculator__fail', arguments: {} });
    expect(failed.isError).toBe(true);
    expect(failed.content).toEqual([
      {
        type: 'text',
        text:
          'TIMEOUT: fail of com.example.calculator took longer than 50 ms\n' +
          'Hint: Raise the time limit or make the operation faster.',
      },
    ]);
    const crashed = await client.callTool({ name: 'com_example_calculator__crash', arguments: {} });
    expect(crashed).toEqual({
      isError: true,
      content: [{ type: 'text', text: 'TypeError: cannot read properties of undefined' }],
    });
    const next = await client.callTool({ name: 'com_example_calculator__add', arguments: { a: 1, b: 1 } });
    expect(next.structuredContent).toEqual({ sum: 2 });
  });

  it('answers an unknown tool with a protocol error', async () => {
    const { client } = await connect(createCalculatorSource());
    await expect(client.callTool({ name: 'com_example_nothing__here', arguments: {} })).rejects.toMatchObject(
      {
        code: -32602,
        message: expect.stringContaining('Unknown tool "com_example_nothing__here"'),
      },
    );
  });

  it('reports each call to the audit hook, and survives a hook that throws', async () => {
    const events: McpToolCallEvent[] = [];
    const errors: Error[] = [];
    const { client } = await connect(createCalculatorSource(), {
      onToolCall: (event) => {
        events.push(event);
        if (event.capability === 'echo') throw new Error('audit store down');
      },
      onError: (error) => errors.push(error),
    });
    await client.callTool({ name: 'com_example_calculator__add', arguments: { a: 2, b: 3 } });
    await client.callTool({ name: 'com_example_calculator__fail', arguments: {} });
    const echoed = await client.callTool({ name: 'com_example_calculator__echo', arguments: { text: 'é' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'é' }]);
    expect(events).toEqual([
      {
        tool: 'com_example_calculator__add',
        pluginId: 'com.example.calculator',
        capability: 'add',
        argumentsBytes: 13,
        durationMs: expect.any(Number),
        outcome: 'ok',
      },
      {
        tool: 'com_example_calculator__fail',
        pluginId: 'com.example.calculator',
        capability: 'fail',
        argumentsBytes: 2,
        durationMs: expect.any(Number),
        outcome: 'error',
        errorCode: 'TIMEOUT',
      },
      {
        tool: 'com_example_calculator__echo',
        pluginId: 'com.example.calculator',
        capability: 'echo',
        argumentsBytes: 13,
        durationMs: expect.any(Number),
        outcome: 'ok',
      },
    ]);
    expect(errors.map((error) => error.message)).toEqual(['audit store down']);
  });

  it('sends one list_changed for a burst of changes, and the next list reflects them', async () => {
    const source = createCalculatorSource();
    const { client } = await connect(source, { listChangedDebounceMs: 30 });
    let notifications = 0;
    const notified = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => {
        notifications += 1;
        resolve();
      });
    });
    source.addPlugin('com.example.clock', { now: { handler: () => 'noon' } });
    source.removePlugin('com.example.calculator');
    await notified;
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(['com_example_clock__now']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(notifications).toBe(1);
  });

  it('aborts the call when the client cancels it', async () => {
    const source = createCalculatorSource();
    let markStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    source.addPlugin('com.example.slow', {
      wait: {
        handler: (_params, { signal }) =>
          new Promise((_resolve, reject) => {
            signal?.addEventListener('abort', () => reject(new PluginError('ABORTED', 'wait was aborted')));
            markStarted();
          }),
      },
    });
    let audited: (event: McpToolCallEvent) => void = () => undefined;
    const auditedCall = new Promise<McpToolCallEvent>((resolve) => {
      audited = resolve;
    });
    const { client } = await connect(source, { onToolCall: (event) => audited(event) });
    const controller = new AbortController();
    const call = client.callTool({ name: 'com_example_slow__wait', arguments: {} }, undefined, {
      signal: controller.signal,
    });
    await started;
    controller.abort();
    await expect(call).rejects.toThrow();
    expect(await auditedCall).toMatchObject({ capability: 'wait', outcome: 'error', errorCode: 'ABORTED' });
  });

  it('stops following the source when closed', async () => {
    const source = createCalculatorSource();
    const { mcp } = await connect(source);
    expect(source.listenerCount()).toBe(1);
    await mcp.close();
    expect(source.listenerCount()).toBe(0);
    await mcp.close();
  });
});
