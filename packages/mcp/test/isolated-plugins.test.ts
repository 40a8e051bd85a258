import { PluginLoader } from '@agentplug/loader';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activatePluginDirectory,
  type McpHttpServer,
  type McpToolCallEvent,
  serveMcpOverHttp,
} from '../src/index';
import {
  addSandboxedPlugin,
  createPluginDirectory,
  type PluginDirectory,
} from './__fixtures__/plugin-folders';

describe.each([
  { isolation: 'worker' as const, crashCode: 'WORKER_CRASHED' },
  { isolation: 'process' as const, crashCode: 'PROCESS_CRASHED' },
])('tools of a $isolation-isolated plugin', ({ isolation, crashCode }) => {
  let directory: PluginDirectory;
  let loader: PluginLoader;
  let http: McpHttpServer;
  let client: Client;
  const audit: McpToolCallEvent[] = [];

  beforeAll(async () => {
    directory = await createPluginDirectory();
    await addSandboxedPlugin(directory, isolation);
    loader = new PluginLoader({ pluginDirectory: directory.path });
    await activatePluginDirectory(loader);
    http = await serveMcpOverHttp(loader, {
      listChangedDebounceMs: 0,
      onToolCall: (event) => audit.push(event),
    });
    client = new Client({ name: 'isolation-test-client', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(http.url)));
  });

  afterAll(async () => {
    await client?.close();
    await http?.close();
    await loader?.close();
    await directory?.remove();
  });

  it('run in their sandbox and answer like any other tool', async () => {
    const result = await client.callTool({ name: 'com_example_sandboxed__double', arguments: { n: 21 } });
    expect(result.content).toEqual([{ type: 'text', text: '42' }]);
  });

  it('report what the sandbox refused as a PERMISSION_DENIED tool error', async () => {
    const result = await client.callTool({ name: 'com_example_sandboxed__readPasswords', arguments: {} });
    expect(result.isError).toBe(true);
    const [content] = result.content as { text: string }[];
    expect(content?.text).toMatch(/^PERMISSION_DENIED: .*\/etc\/passwd/);
    expect(content?.text).toContain(
      "Hint: Declare the permission named in the message in plugin.json's permissions.",
    );
    expect(audit.at(-1)).toMatchObject({
      capability: 'readPasswords',
      outcome: 'error',
      errorCode: 'PERMISSION_DENIED',
    });
  });

  it('survive a sandbox that exits: a crash tool error, the tools withdrawn, the others served', async () => {
    const listChanged = new Promise<void>((resolve) => {
      client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve());
    });
    const result = await client.callTool({ name: 'com_example_sandboxed__exitProcess', arguments: {} });
    expect(result.isError).toBe(true);
    expect((result.content as { text: string }[])[0]?.text).toMatch(new RegExp(`^${crashCode}: `));
    await listChanged;
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).filter((name) => name.startsWith('com_example_sandboxed'))).toEqual(
      [],
    );
    const greeting = await client.callTool({
      name: 'com_example_greeter__greet',
      arguments: { name: 'Ada' },
    });
    expect(greeting.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
  });
});
