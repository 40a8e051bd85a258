import { createToolName, PluginError } from '@agentplug/models';
import { ToolMessage } from '@langchain/core/messages';
import { convertToOpenAITool } from '@langchain/core/utils/function_calling';
import { afterEach, describe, expect, it } from 'vitest';
import { addFarewellToHello } from '../../../tooling/testing/agent-fixtures';
import { createAgentplugToolkit, createAgentplugTools } from '../src/index';
import { type AgentHost, startAgentHost } from './__fixtures__/agent-host';
import { createScriptedChatModel, type SeenToolResult } from './__fixtures__/scripted-chat-model';
import { runToolLoop } from './__fixtures__/tool-loop';

const GREET = 'com_example_hello__greet';
const FAREWELL = 'com_example_hello__farewell';
const ARITHMETIC = 'com_example_calculator__arithmetic';
const SLUGIFY = 'com_example_text-tools__slugify';
const WORD_STATS = 'com_example_word-stats__wordStats';
const FORECAST = 'com_example_weather__forecast';

function errorOf(results: SeenToolResult[] | undefined, name: string): string {
  const result = results?.find((candidate) => candidate.name === name);
  expect(result?.status).toBe('error');
  return result?.content ?? '';
}

describe('the LangChain adapter in a real tool-calling loop', () => {
  let host: AgentHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('calls plugin capabilities in their workers and hands the model the results as text', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator']);
    const tools = createAgentplugTools(host.loader);
    const { model, seen } = createScriptedChatModel([
      () => ({
        toolCalls: [
          { name: ARITHMETIC, args: { expression: '2 + 2 * 3' } },
          { name: GREET, args: { name: 'Ada' } },
        ],
      }),
      (results) => ({ text: `The tools said ${results.map((result) => result.content).join(' and ')}.` }),
    ]);
    const run = await runToolLoop({ model, getTools: () => tools });

    expect(run.offered[0]).toEqual([ARITHMETIC, 'com_example_calculator__scientific', GREET]);
    expect(run.offered[0]).toContain(createToolName('com.example.hello', 'greet'));
    expect(seen[1]).toEqual([
      { name: ARITHMETIC, status: 'success', content: '8' },
      { name: GREET, status: 'success', content: 'Hello, Ada!' },
    ]);
    expect(run.text).toBe('The tools said 8 and Hello, Ada!.');
    // What a provider receives through bindTools: the capability's own JSON Schema.
    const greet = tools.find((tool) => tool.name === GREET)!;
    expect(convertToOpenAITool(greet)).toEqual({
      type: 'function',
      function: {
        name: GREET,
        description: 'Greets someone by name',
        parameters: {
          type: 'object',
          properties: { name: { type: 'string', minLength: 1 } },
          required: ['name'],
          additionalProperties: false,
        },
      },
    });
  });

  it('hands the model the schema error of invalid arguments as an error ToolMessage, and the loop goes on', async () => {
    host = await startAgentHost(['com.example.hello']);
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: GREET, args: { name: '', title: 'Dr' } }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      (results) => ({ text: results[0]?.content ?? '' }),
    ]);
    const tools = createAgentplugTools(host.loader);
    const run = await runToolLoop({ model, getTools: () => tools });

    const error = errorOf(seen[1], GREET);
    expect(error).toMatch(
      /^INVALID_PARAMS: invalid params for com\.example\.hello\.greet \(checked by LangChain\):\n/,
    );
    expect(error).toContain('#/properties/name/minLength: String is too short (0 < 1).');
    expect(error.split('\n').at(-1)).toBe('Hint: Fix each listed parameter.');
    expect(run.text).toBe('Hello, Ada!');
    const toolMessage = run.messages.find(
      (message) => ToolMessage.isInstance(message) && message.status === 'error',
    );
    expect(PluginError.is((toolMessage as ToolMessage | undefined)?.artifact, 'INVALID_PARAMS')).toBe(true);
  });

  it('answers invalid arguments of a direct tool call with an error ToolMessage, and throws INVALID_PARAMS for bare arguments', async () => {
    host = await startAgentHost(['com.example.hello']);
    const [greet] = createAgentplugTools(host.loader);
    const message = await greet!.invoke({ type: 'tool_call', id: 'call-1', name: GREET, args: { name: 42 } });
    expect(ToolMessage.isInstance(message)).toBe(true);
    expect((message as ToolMessage).status).toBe('error');
    expect((message as ToolMessage).text).toBe(
      'INVALID_PARAMS: invalid params for com.example.hello.greet (checked by LangChain):\n' +
        '  #/properties: Property "name" does not match schema.\n' +
        '  #/properties/name/type: Instance type "number" is invalid. Expected "string".\n' +
        'Hint: Fix each listed parameter.',
    );
    await expect(greet!.invoke({ name: 42 } as never)).rejects.toSatisfy((error: unknown) =>
      PluginError.is(error, 'INVALID_PARAMS'),
    );
  });

  it('hands the model a permission denial from the worker sandbox with its hint, and audits it', async () => {
    host = await startAgentHost(['com.example.word-stats', 'com.example.hello']);
    const permissions: { pluginId: string; allowed: boolean }[] = [];
    host.loader.on('permission', (event) => permissions.push(event));
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: WORD_STATS, args: { text: 'the secret launch plan' } }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      () => ({ text: 'done' }),
    ]);
    const tools = createAgentplugTools(host.loader);
    const run = await runToolLoop({ model, getTools: () => tools });

    const error = errorOf(seen[1], WORD_STATS);
    expect(error).toMatch(/^PERMISSION_DENIED: .*localhost.*permissions\.network_hosts/);
    expect(error.split('\n').at(-1)).toMatch(/^Hint: .*permissions/);
    expect(permissions).toContainEqual(
      expect.objectContaining({ pluginId: 'com.example.word-stats', allowed: false }),
    );
    expect(seen[2]).toEqual([{ name: GREET, status: 'success', content: 'Hello, Ada!' }]);
    expect(run.text).toBe('done');
  });

  it('answers a call that outlives the time limit with a TIMEOUT error; the stopped plugin leaves the toolkit', async () => {
    host = await startAgentHost(['com.example.weather', 'com.example.hello']);
    host.forecast.stalled = true;
    const toolkit = createAgentplugToolkit(host.loader, { timeoutMs: 400 });
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: FORECAST, args: { city: 'Lisbon' } }] }),
      () => ({ text: 'no forecast today' }),
    ]);
    const started = performance.now();
    const run = await runToolLoop({ model, getTools: () => toolkit.getTools() });

    expect(performance.now() - started).toBeLessThan(10_000);
    expect(errorOf(seen[1], FORECAST)).toMatch(/^TIMEOUT: .*took longer than 400 ms[\s\S]*\nHint: /);
    expect(run.offered).toEqual([[GREET, FORECAST], [GREET]]);
    expect(host.loader.getPluginState('com.example.weather')?.status).toBe('failed');
    expect(run.text).toBe('no forecast today');
    toolkit.close();
  });

  it('offers a plugin hot-reloaded between two steps with its new tool at the next step', async () => {
    host = await startAgentHost(['com.example.hello']);
    const { loader, plugins } = host;
    const toolkit = createAgentplugToolkit(loader);
    const changes: string[][] = [];
    toolkit.onChange((tools) => changes.push(tools.map((tool) => tool.name)));
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      () => ({ toolCalls: [{ name: FAREWELL, args: { name: 'Ada' } }] }),
      (results) => ({ text: results[0]?.content ?? '' }),
    ]);
    const run = await runToolLoop({
      model,
      getTools: () => toolkit.getTools(),
      afterStep: async (step) => {
        if (step !== 0) return;
        await addFarewellToHello(plugins.path);
        await loader.reloadPlugin('com.example.hello', { validate: false });
      },
    });

    expect(run.offered[0]).toEqual([GREET]);
    expect(run.offered[1]).toEqual([FAREWELL, GREET]);
    expect(seen[1]).toEqual([{ name: GREET, status: 'success', content: 'Hello, Ada!' }]);
    expect(run.text).toBe('Goodbye, Ada!');
    expect(changes).toEqual([[FAREWELL, GREET]]);
    toolkit.close();
  });

  it('drops the tools of a plugin unloaded between steps, and the loop goes on', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.text-tools']);
    const { loader } = host;
    const toolkit = createAgentplugToolkit(loader);
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: SLUGIFY, args: { text: 'Plugins All The Way' } }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      (results) => ({ text: results[0]?.content ?? '' }),
    ]);
    const run = await runToolLoop({
      model,
      getTools: () => toolkit.getTools(),
      afterStep: async (step) => {
        if (step === 0) await loader.unloadPlugin('com.example.text-tools');
      },
    });

    expect(run.offered[0]).toContain(SLUGIFY);
    expect(seen[1]).toEqual([{ name: SLUGIFY, status: 'success', content: 'plugins-all-the-way' }]);
    expect(run.offered[1]).toEqual([GREET]);
    expect(run.text).toBe('Hello, Ada!');
    toolkit.close();
  });

  it('answers a call to a plugin unloaded while the model was deciding with a NOT_ACTIVE error, and the loop goes on', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.text-tools']);
    const { loader } = host;
    const toolkit = createAgentplugToolkit(loader);
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: [{ name: SLUGIFY, args: { text: 'Too Late' } }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      (results) => ({ text: results[0]?.content ?? '' }),
    ]);
    const run = await runToolLoop({
      model,
      getTools: () => toolkit.getTools(),
      beforeToolCalls: async (step) => {
        if (step === 0) await loader.unloadPlugin('com.example.text-tools');
      },
    });

    const error = errorOf(seen[1], SLUGIFY);
    expect(error).toMatch(/^NOT_ACTIVE: cannot invoke com\.example\.text-tools\.slugify/);
    expect(error.split('\n').at(-1)).toBe('Hint: Activate the plugin before invoking it.');
    expect(run.offered[1]).toEqual([GREET]);
    expect(run.text).toBe('Hello, Ada!');
    toolkit.close();
  });

  it('hands the model text for results that are not plain JSON', async () => {
    host = await startAgentHost(['com.example.odd-results']);
    const names = ['moment', 'huge', 'nothing', 'table'].map((name) => `com_example_odd-results__${name}`);
    const { model, seen } = createScriptedChatModel([
      () => ({ toolCalls: names.map((name) => ({ name, args: {} })) }),
      () => ({ text: 'read them' }),
    ]);
    const tools = createAgentplugTools(host.loader);
    await runToolLoop({ model, getTools: () => tools });

    expect(seen[1]?.map((result) => result.content)).toEqual([
      '"2026-01-02T03:04:05.000Z"',
      '1180591620717411303424',
      'null',
      '{"a":1}',
    ]);
  });

  it("passes the run's abort signal to the plugin call", async () => {
    host = await startAgentHost(['com.example.weather']);
    host.forecast.stalled = true;
    const [forecast] = createAgentplugTools(host.loader);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('the user left')), 300);
    const started = performance.now();
    const outcome = await forecast!
      .invoke(
        { type: 'tool_call', id: 'call-1', name: FORECAST, args: { city: 'Lisbon' } },
        { signal: controller.signal },
      )
      .then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
    expect(performance.now() - started).toBeLessThan(10_000);
    // A cancelled run is not a tool error for the model: the call rejects with the loader's ABORTED.
    expect(PluginError.is((outcome as { error?: unknown }).error, 'ABORTED')).toBe(true);
  });

  it('offers only what the include and exclude filters let through', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator', 'com.example.text-tools']);
    const tools = createAgentplugTools(host.loader, {
      includePlugins: ['com.example.calculator', 'com.example.text-tools'],
      excludeCapabilities: ['scientific', 'com.example.text-tools/process'],
    });
    expect(tools.map((tool) => tool.name)).toEqual([
      ARITHMETIC,
      'com_example_text-tools__countWords',
      SLUGIFY,
    ]);
    const toolkit = createAgentplugToolkit(host.loader, { includeCapabilities: ['greet'] });
    expect(toolkit.getTools().map((tool) => tool.name)).toEqual([GREET]);
    toolkit.close();
  });
});
