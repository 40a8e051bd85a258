import { createToolName, PluginError } from '@agentplug/models';
import { generateText, stepCountIs, streamText, type ToolSet } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { addFarewellToHello } from '../../../tooling/testing/agent-fixtures';
import { AgentplugToolError, createAgentplugTools, createLiveAgentplugTools } from '../src/index';
import { type AgentHost, startAgentHost } from './__fixtures__/agent-host';
import { createScriptedModel, type ModelTurn } from './__fixtures__/scripted-model';
import { aiMajor, aiSupportsThisNode } from './ai-version';

const GREET = 'com_example_hello__greet';
const FAREWELL = 'com_example_hello__farewell';
const ARITHMETIC = 'com_example_calculator__arithmetic';
const SLUGIFY = 'com_example_text-tools__slugify';
const WORD_STATS = 'com_example_word-stats__wordStats';
const FORECAST = 'com_example_weather__forecast';

/** Runs a multi-step loop with generateText or streamText and returns the final text. */
async function runLoop(
  mode: 'generateText' | 'streamText',
  options: {
    model: ReturnType<typeof createScriptedModel>['model'];
    tools: ToolSet;
    onStepFinish?: (step: { stepNumber: number }) => Promise<void>;
    abortSignal?: AbortSignal;
  },
): Promise<string> {
  let stepNumber = 0;
  const settings = {
    model: options.model,
    tools: options.tools,
    prompt: 'Use the plugin tools.',
    stopWhen: stepCountIs(8),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    onStepFinish: async () => {
      await options.onStepFinish?.({ stepNumber });
      stepNumber += 1;
    },
  };
  if (mode === 'generateText') return (await generateText(settings)).text;
  const stream = streamText({ ...settings, onError: () => {} });
  return await stream.text;
}

function errorText(turn: ModelTurn | undefined, toolName: string): string {
  const result = turn?.toolResults.find((candidate) => candidate.toolName === toolName);
  expect(result?.type).toBe('error-text');
  return String(result?.value);
}

describe.runIf(aiSupportsThisNode)(`the AI SDK adapter in a real agent loop (ai@${aiMajor})`, () => {
  let host: AgentHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it.each(['generateText', 'streamText'] as const)(
    'calls plugin capabilities in their workers and hands the model the results (%s)',
    async (mode) => {
      host = await startAgentHost(['com.example.hello', 'com.example.calculator']);
      const { model, turns } = createScriptedModel([
        () => ({
          toolCalls: [
            { toolName: ARITHMETIC, input: { expression: '2 + 2 * 3' } },
            { toolName: GREET, input: { name: 'Ada' } },
          ],
        }),
        (turn) => ({
          text: `The tools said ${turn.toolResults.map((result) => String(result.value)).join(' and ')}.`,
        }),
      ]);
      const text = await runLoop(mode, { model, tools: createAgentplugTools(host.loader) });

      expect(turns[0]?.toolNames).toEqual([ARITHMETIC, 'com_example_calculator__scientific', GREET]);
      expect(turns[0]?.toolNames).toContain(createToolName('com.example.calculator', 'arithmetic'));
      expect(turns[1]?.toolResults).toEqual([
        { toolName: ARITHMETIC, type: 'json', value: 8 },
        { toolName: GREET, type: 'text', value: 'Hello, Ada!' },
      ]);
      expect(text).toBe('The tools said 8 and Hello, Ada!.');
    },
  );

  it('hands the model the schema error of invalid arguments, and the loop goes on to a valid call', async () => {
    host = await startAgentHost(['com.example.hello']);
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: [{ toolName: GREET, input: { name: '', title: 'Dr' } }] }),
      () => ({ toolCalls: [{ toolName: GREET, input: { name: 'Ada' } }] }),
      (turn) => ({ text: String(turn.toolResults[0]?.value) }),
    ]);
    const text = await runLoop('generateText', { model, tools: createAgentplugTools(host.loader) });

    const error = errorText(turns[1], GREET);
    expect(error).toMatch(/^INVALID_PARAMS: invalid params for com\.example\.hello\.greet:/);
    expect(error).toMatch(/name/);
    expect(error).toMatch(/title/);
    expect(error.split('\n').at(-1)).toBe('Hint: Fix each listed parameter.');
    expect(text).toBe('Hello, Ada!');
  });

  it('hands the model a permission denial from the worker sandbox with its hint, and audits it', async () => {
    host = await startAgentHost(['com.example.word-stats', 'com.example.hello']);
    const permissions: { pluginId: string; allowed: boolean; target: string }[] = [];
    host.loader.on('permission', (event) => permissions.push(event));
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: [{ toolName: WORD_STATS, input: { text: 'the secret launch plan' } }] }),
      () => ({ toolCalls: [{ toolName: GREET, input: { name: 'Ada' } }] }),
      () => ({ text: 'done' }),
    ]);
    const text = await runLoop('generateText', { model, tools: createAgentplugTools(host.loader) });

    const error = errorText(turns[1], WORD_STATS);
    expect(error).toMatch(/^PERMISSION_DENIED: .*localhost/);
    expect(error.split('\n').at(-1)).toMatch(/^Hint: .*permissions/);
    expect(permissions).toContainEqual(
      expect.objectContaining({ pluginId: 'com.example.word-stats', allowed: false }),
    );
    expect(turns[2]?.toolResults).toEqual([{ toolName: GREET, type: 'text', value: 'Hello, Ada!' }]);
    expect(text).toBe('done');
  });

  it('answers a call that outlives the time limit with a TIMEOUT tool error; the stopped plugin leaves the live set', async () => {
    host = await startAgentHost(['com.example.weather', 'com.example.hello']);
    host.forecast.stalled = true;
    const agentplug = createLiveAgentplugTools(host.loader, { timeoutMs: 400 });
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: [{ toolName: FORECAST, input: { city: 'Lisbon' } }] }),
      () => ({ text: 'no forecast today' }),
    ]);
    const started = performance.now();
    const text = await runLoop('generateText', { model, tools: agentplug.tools });

    expect(performance.now() - started).toBeLessThan(10_000);
    expect(errorText(turns[1], FORECAST)).toMatch(/^TIMEOUT: .*took longer than 400 ms[\s\S]*\nHint: /);
    expect(host.forecast.requests).toBe(1);
    expect(turns[0]?.toolNames).toContain(FORECAST);
    expect(turns[1]?.toolNames).toEqual([GREET]);
    expect(host.loader.getPluginState('com.example.weather')?.status).toBe('failed');
    expect(text).toBe('no forecast today');
    agentplug.close();
  });

  it.each(['generateText', 'streamText'] as const)(
    'offers a plugin hot-reloaded between two steps with its new tool at the next step (%s)',
    async (mode) => {
      host = await startAgentHost(['com.example.hello']);
      const { loader, plugins } = host;
      const agentplug = createLiveAgentplugTools(loader);
      const { model, turns } = createScriptedModel([
        () => ({ toolCalls: [{ toolName: GREET, input: { name: 'Ada' } }] }),
        () => ({ toolCalls: [{ toolName: FAREWELL, input: { name: 'Ada' } }] }),
        (turn) => ({ text: String(turn.toolResults[0]?.value) }),
      ]);
      const text = await runLoop(mode, {
        model,
        tools: agentplug.tools,
        onStepFinish: async ({ stepNumber }) => {
          if (stepNumber !== 0) return;
          await addFarewellToHello(plugins.path);
          await loader.reloadPlugin('com.example.hello', { validate: false });
        },
      });

      expect(turns[0]?.toolNames).toEqual([GREET]);
      expect([...(turns[1]?.toolNames ?? [])].sort()).toEqual([FAREWELL, GREET]);
      expect(turns[1]?.toolResults).toEqual([{ toolName: GREET, type: 'text', value: 'Hello, Ada!' }]);
      expect(text).toBe('Goodbye, Ada!');
      expect(agentplug.toolNames()).toEqual([FAREWELL, GREET]);
      agentplug.close();
    },
  );

  it('drops the tools of a plugin unloaded mid-run; a stale call gets an error result and the loop goes on', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.text-tools']);
    const { loader } = host;
    const agentplug = createLiveAgentplugTools(loader);
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: [{ toolName: SLUGIFY, input: { text: 'Plugins All The Way' } }] }),
      () => ({ toolCalls: [{ toolName: SLUGIFY, input: { text: 'Once More' } }] }),
      () => ({ toolCalls: [{ toolName: GREET, input: { name: 'Ada' } }] }),
      (turn) => ({ text: String(turn.toolResults[0]?.value) }),
    ]);
    const text = await runLoop('generateText', {
      model,
      tools: agentplug.tools,
      onStepFinish: async ({ stepNumber }) => {
        if (stepNumber === 0) await loader.unloadPlugin('com.example.text-tools');
      },
    });

    expect(turns[0]?.toolNames).toContain(SLUGIFY);
    expect(turns[1]?.toolResults).toEqual([
      { toolName: SLUGIFY, type: 'text', value: 'plugins-all-the-way' },
    ]);
    expect(turns[1]?.toolNames).toEqual([GREET]);
    expect(errorText(turns[2], SLUGIFY)).toContain(SLUGIFY);
    expect(text).toBe('Hello, Ada!');
    expect(agentplug.toolNames()).toEqual([GREET]);
    agentplug.close();
  });

  it('answers a call to a tool kept from before an unload with a NOT_ACTIVE tool error and its hint', async () => {
    host = await startAgentHost(['com.example.hello']);
    const tools = createAgentplugTools(host.loader);
    await host.loader.unloadPlugin('com.example.hello');
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: [{ toolName: GREET, input: { name: 'Ada' } }] }),
      () => ({ text: 'the greeter is gone' }),
    ]);
    const text = await runLoop('generateText', { model, tools });

    const error = errorText(turns[1], GREET);
    expect(error).toMatch(/^NOT_ACTIVE: cannot invoke com\.example\.hello\.greet/);
    expect(error.split('\n').at(-1)).toBe('Hint: Activate the plugin before invoking it.');
    expect(text).toBe('the greeter is gone');
  });

  it('hands the model text for results that are not plain JSON', async () => {
    host = await startAgentHost(['com.example.odd-results']);
    const names = ['moment', 'huge', 'nothing', 'table'].map((name) => `com_example_odd-results__${name}`);
    const { model, turns } = createScriptedModel([
      () => ({ toolCalls: names.map((toolName) => ({ toolName, input: {} })) }),
      () => ({ text: 'read them' }),
    ]);
    await runLoop('generateText', { model, tools: createAgentplugTools(host.loader) });

    expect(turns[1]?.toolResults.map((result) => [result.type, result.value])).toEqual([
      ['text', '"2026-01-02T03:04:05.000Z"'],
      ['text', '1180591620717411303424'],
      ['text', 'null'],
      ['text', '{"a":1}'],
    ]);
  });

  it("passes the run's abort signal to the plugin call", async () => {
    host = await startAgentHost(['com.example.weather']);
    host.forecast.stalled = true;
    const controller = new AbortController();
    const { model } = createScriptedModel([
      () => {
        setTimeout(() => controller.abort(new Error('the user left')), 300);
        return { toolCalls: [{ toolName: FORECAST, input: { city: 'Lisbon' } }] };
      },
      () => ({ text: 'never reached' }),
    ]);
    let caught: unknown;
    const started = performance.now();
    const tools = createAgentplugTools(host.loader);
    const originalExecute = tools[FORECAST]!.execute!;
    let callError: unknown;
    tools[FORECAST]!.execute = async (input, options) => {
      try {
        return await originalExecute(input, options);
      } catch (error) {
        callError = error;
        throw error;
      }
    };
    try {
      await runLoop('generateText', { model, tools, abortSignal: controller.signal });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeDefined();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(callError).toBeInstanceOf(AgentplugToolError);
    expect((callError as AgentplugToolError).code).toBe('ABORTED');
    expect(PluginError.is((callError as AgentplugToolError).cause, 'ABORTED')).toBe(true);
  });

  it('offers only what the include and exclude filters let through', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator', 'com.example.text-tools']);
    const tools = createAgentplugTools(host.loader, {
      includePlugins: ['com.example.calculator', 'com.example.text-tools'],
      excludeCapabilities: ['scientific', 'com.example.text-tools/process'],
    });
    expect(Object.keys(tools)).toEqual([ARITHMETIC, 'com_example_text-tools__countWords', SLUGIFY]);
    const live = createLiveAgentplugTools(host.loader, { includeCapabilities: ['greet'] });
    expect(live.toolNames()).toEqual([GREET]);
    live.close();
  });
});
