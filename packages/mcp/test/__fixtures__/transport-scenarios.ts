import { writeFile } from 'node:fs/promises';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculatorSource, createPluginDirectory, type PluginDirectory } from './plugin-folders';

/** A connected client and a way to drive the served loader's lifecycle. */
export interface TransportHarness {
  client: Client;
  activate(pluginId: string): Promise<void>;
  deactivate(pluginId: string): Promise<void>;
  reload(pluginId: string): Promise<void>;
  close(): Promise<void>;
}

/** Resolves on the next `notifications/tools/list_changed` the client receives. */
function nextListChanged(client: Client): Promise<void> {
  return new Promise((resolve) => {
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => resolve());
  });
}

function textOf(result: object): string {
  const content = (result as { content: { type: string; text?: string }[] }).content;
  return content.map((part) => part.text ?? '').join('\n');
}

/**
 * The end-to-end behaviour every transport must show, against a real PluginLoader serving real
 * plugin folders. The server is started with a 300 ms call time limit.
 */
export function describeTransportScenarios(
  transportName: string,
  start: (pluginDirectory: string) => Promise<TransportHarness>,
): void {
  describe(`MCP over ${transportName} with a real loader`, () => {
    let directory: PluginDirectory;
    let harness: TransportHarness;

    beforeAll(async () => {
      directory = await createPluginDirectory();
      harness = await start(directory.path);
    });

    afterAll(async () => {
      await harness?.close();
      await directory?.remove();
    });

    it('lists the active capabilities as tools with their schemas', async () => {
      const { tools } = await harness.client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual([
        'com_example_calculator__add',
        'com_example_calculator__fail',
        'com_example_calculator__hang',
        'com_example_greeter__greet',
      ]);
      expect(tools[0]).toMatchObject({
        title: 'Calculator: add',
        description: 'Adds two numbers',
        inputSchema: {
          type: 'object',
          properties: { a: { type: 'number' }, b: { type: 'number' } },
          required: ['a', 'b'],
          additionalProperties: false,
        },
      });
    });

    it('calls a tool and returns its result', async () => {
      const result = await harness.client.callTool({
        name: 'com_example_calculator__add',
        arguments: { a: 2, b: 3 },
      });
      expect(result).toEqual({
        content: [{ type: 'text', text: '{"sum":5}' }],
        structuredContent: { sum: 5 },
      });
      const greeting = await harness.client.callTool({
        name: 'com_example_greeter__greet',
        arguments: { name: 'Ada' },
      });
      expect(greeting.content).toEqual([{ type: 'text', text: 'Hello, Ada!' }]);
    });

    it('answers invalid arguments with an INVALID_PARAMS tool error', async () => {
      const result = await harness.client.callTool({
        name: 'com_example_calculator__add',
        arguments: { a: 'two', b: 3 },
      });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^INVALID_PARAMS: invalid params for com\.example\.calculator\.add/);
      expect(textOf(result)).toContain('Hint: Fix each listed parameter.');
    });

    it('turns a throwing plugin into a tool error and keeps serving', async () => {
      const failed = await harness.client.callTool({ name: 'com_example_calculator__fail', arguments: {} });
      expect(failed).toEqual({
        isError: true,
        content: [{ type: 'text', text: 'Error: the calculator broke' }],
      });
      const next = await harness.client.callTool({
        name: 'com_example_calculator__add',
        arguments: { a: 1, b: 1 },
      });
      expect(next.structuredContent).toEqual({ sum: 2 });
    });

    it('turns a hanging plugin into a TIMEOUT tool error and keeps serving', async () => {
      const hung = await harness.client.callTool({ name: 'com_example_calculator__hang', arguments: {} });
      expect(hung.isError).toBe(true);
      expect(textOf(hung)).toMatch(/^TIMEOUT: /);
      const next = await harness.client.callTool({
        name: 'com_example_greeter__greet',
        arguments: { name: 'Bo' },
      });
      expect(next.content).toEqual([{ type: 'text', text: 'Hello, Bo!' }]);
    });

    it('sends list_changed on deactivate and activate, and lists the change', async () => {
      const afterDeactivate = nextListChanged(harness.client);
      await harness.deactivate('com.example.greeter');
      await afterDeactivate;
      const without = await harness.client.listTools();
      expect(without.tools.map((tool) => tool.name)).not.toContain('com_example_greeter__greet');
      const refused = harness.client.callTool({
        name: 'com_example_greeter__greet',
        arguments: { name: 'Cy' },
      });
      await expect(refused).rejects.toMatchObject({ code: -32602 });

      const afterActivate = nextListChanged(harness.client);
      await harness.activate('com.example.greeter');
      await afterActivate;
      const again = await harness.client.listTools();
      expect(again.tools.map((tool) => tool.name)).toContain('com_example_greeter__greet');
    });

    it('calls the new code after a hot reload', async () => {
      await writeFile(directory.calculatorEntry, calculatorSource({ reloaded: true }));
      await harness.reload('com.example.calculator');
      const result = await harness.client.callTool({
        name: 'com_example_calculator__add',
        arguments: { a: 2, b: 3 },
      });
      expect(result.structuredContent).toEqual({ sum: 5, reloaded: true });
    });
  });
}
