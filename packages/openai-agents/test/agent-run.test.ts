import { createToolName } from '@agentplug/models';
import { Agent, run, setTracingDisabled, tool } from '@openai/agents';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addFarewellToHello } from '../../../tooling/testing/agent-fixtures';
import { createAgentplugTools, createLiveAgentplugTools } from '../src/index';
import { type AgentHost, startAgentHost } from './__fixtures__/agent-host';
import { type AgentTurn, createScriptedAgentsModel } from './__fixtures__/scripted-agents-model';

const GREET = 'com_example_hello__greet';
const FAREWELL = 'com_example_hello__farewell';
const ARITHMETIC = 'com_example_calculator__arithmetic';
const SCIENTIFIC = 'com_example_calculator__scientific';
const SLUGIFY = 'com_example_text-tools__slugify';
const WORD_STATS = 'com_example_word-stats__wordStats';
const FORECAST = 'com_example_weather__forecast';

const nodeMajor = Number(process.versions.node.split('.')[0]);

function names(turn: AgentTurn | undefined): string[] {
  return (turn?.tools ?? []).map((offered) => offered.name);
}

function outputOf(turn: AgentTurn | undefined, name: string): string {
  return turn?.toolResults.find((result) => result.name === name)?.output ?? '';
}

// @openai/agents 0.20 runs on the `openai` client 7, which requires Node.js 22 (its engines
// field); on Node.js 20 these tests skip themselves and run in CI's Node.js 24 pass.
describe.runIf(nodeMajor >= 22)('the OpenAI Agents SDK adapter in a real agent run', () => {
  let host: AgentHost | undefined;
  beforeAll(() => setTracingDisabled(true));
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('calls plugin capabilities in their workers and hands the model the results as text', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator']);
    const { model, turns } = createScriptedAgentsModel([
      () => ({
        toolCalls: [
          { name: ARITHMETIC, args: { expression: '2 + 2 * 3' } },
          { name: GREET, args: { name: 'Ada' } },
        ],
      }),
      (turn) => ({
        text: `The tools said ${turn.toolResults.map((result) => result.output).join(' and ')}.`,
      }),
    ]);
    const agent = new Agent({
      name: 'Assistant',
      instructions: 'Use the tools.',
      model,
      tools: createAgentplugTools(host.loader),
    });
    const result = await run(agent, 'Greet Ada and work out 2 + 2 * 3.');

    expect(names(turns[0])).toEqual([ARITHMETIC, SCIENTIFIC, GREET]);
    expect(names(turns[0])).toContain(createToolName('com.example.calculator', 'scientific'));
    // Strict where the schema allows it: scientific is closed and plain; greet has minLength,
    // arithmetic minLength and an optional property, which strict mode would change.
    expect(turns[0]?.tools).toEqual([
      { name: ARITHMETIC, strict: false },
      { name: SCIENTIFIC, strict: true },
      { name: GREET, strict: false },
    ]);
    expect(turns[1]?.toolResults).toEqual([
      { name: ARITHMETIC, output: '8' },
      { name: GREET, output: 'Hello, Ada!' },
    ]);
    expect(result.finalOutput).toBe('The tools said 8 and Hello, Ada!.');
  });

  it('hands the model the schema error of invalid arguments, and the run goes on to a valid call', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator']);
    const { model, turns } = createScriptedAgentsModel([
      () => ({
        toolCalls: [
          { name: GREET, args: { name: '', title: 'Dr' } },
          { name: SCIENTIFIC, args: { function: 'cube', value: 2 } },
        ],
      }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      (turn) => ({ text: outputOf(turn, GREET) }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: createAgentplugTools(host.loader) });
    const result = await run(agent, 'Greet Ada.');

    const greetError = outputOf(turns[1], GREET);
    expect(greetError).toMatch(/^INVALID_PARAMS: invalid params for com\.example\.hello\.greet:/);
    expect(greetError).toMatch(/title/);
    expect(greetError.split('\n').at(-1)).toBe('Hint: Fix each listed parameter.');
    // A strict tool's arguments are checked by the loader as well.
    expect(outputOf(turns[1], SCIENTIFIC)).toMatch(
      /^INVALID_PARAMS: invalid params for com\.example\.calculator\.scientific:/,
    );
    expect(result.finalOutput).toBe('Hello, Ada!');
  });

  it('hands the model a permission denial from the worker sandbox with its hint, and audits it', async () => {
    host = await startAgentHost(['com.example.word-stats', 'com.example.hello']);
    const permissions: { pluginId: string; allowed: boolean }[] = [];
    host.loader.on('permission', (event) => permissions.push(event));
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: [{ name: WORD_STATS, args: { text: 'the secret launch plan' } }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      () => ({ text: 'done' }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: createAgentplugTools(host.loader) });
    const result = await run(agent, 'Count the words.');

    const error = outputOf(turns[1], WORD_STATS);
    expect(error).toMatch(/^PERMISSION_DENIED: .*localhost.*permissions\.network_hosts/);
    expect(error.split('\n').at(-1)).toMatch(/^Hint: .*permissions/);
    expect(permissions).toContainEqual(
      expect.objectContaining({ pluginId: 'com.example.word-stats', allowed: false }),
    );
    expect(turns[2]?.toolResults).toEqual([{ name: GREET, output: 'Hello, Ada!' }]);
    expect(result.finalOutput).toBe('done');
  });

  it('answers a call that outlives the time limit with a TIMEOUT error; the stopped plugin leaves the live list', async () => {
    host = await startAgentHost(['com.example.weather', 'com.example.hello']);
    host.forecast.stalled = true;
    const agentplug = createLiveAgentplugTools(host.loader, { timeoutMs: 400 });
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: [{ name: FORECAST, args: { city: 'Lisbon' } }] }),
      () => ({ text: 'no forecast today' }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: agentplug.tools });
    const started = performance.now();
    const result = await run(agent, 'Weather in Lisbon?');

    expect(performance.now() - started).toBeLessThan(10_000);
    expect(outputOf(turns[1], FORECAST)).toMatch(/^TIMEOUT: .*took longer than 400 ms[\s\S]*\nHint: /);
    expect(names(turns[0])).toEqual([GREET, FORECAST]);
    expect(names(turns[1])).toEqual([GREET]);
    expect(host.loader.getPluginState('com.example.weather')?.status).toBe('failed');
    expect(result.finalOutput).toBe('no forecast today');
    agentplug.close();
  });

  it('offers a plugin hot-reloaded between two turns with its new tool at the next turn', async () => {
    host = await startAgentHost(['com.example.hello']);
    const { loader, plugins } = host;
    // The host's own tool, beside the plugins': the agent asks for the update, the host applies it.
    const applyUpdate = tool({
      name: 'apply_hello_update',
      description: 'Installs the new version of the hello plugin',
      parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
      execute: async () => {
        await addFarewellToHello(plugins.path);
        await loader.reloadPlugin('com.example.hello', { validate: false });
        return 'updated';
      },
    });
    const agentplug = createLiveAgentplugTools(loader, { baseTools: [applyUpdate] });
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: [{ name: 'apply_hello_update', args: {} }] }),
      () => ({ toolCalls: [{ name: FAREWELL, args: { name: 'Ada' } }] }),
      (turn) => ({ text: outputOf(turn, FAREWELL) }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: agentplug.tools });
    const result = await run(agent, 'Update the greeter, then say goodbye to Ada.');

    expect(names(turns[0])).toEqual(['apply_hello_update', GREET]);
    expect(names(turns[1])).toEqual(['apply_hello_update', FAREWELL, GREET]);
    expect(result.finalOutput).toBe('Goodbye, Ada!');
    expect(agentplug.toolNames()).toEqual([FAREWELL, GREET]);
    agentplug.close();
  });

  it('drops the tools of a plugin unloaded mid-run, and the run goes on', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.text-tools']);
    const { loader } = host;
    const unload = tool({
      name: 'retire_text_tools',
      description: 'Unloads the text tools plugin',
      parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
      execute: async () => {
        await loader.unloadPlugin('com.example.text-tools');
        return 'retired';
      },
    });
    const agentplug = createLiveAgentplugTools(loader, { baseTools: [unload] });
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: [{ name: SLUGIFY, args: { text: 'Plugins All The Way' } }] }),
      () => ({ toolCalls: [{ name: 'retire_text_tools', args: {} }] }),
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      (turn) => ({ text: outputOf(turn, GREET) }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: agentplug.tools });
    const result = await run(agent, 'Slugify, retire the text tools, greet Ada.');

    expect(names(turns[1])).toContain(SLUGIFY);
    expect(turns[1]?.toolResults).toEqual([{ name: SLUGIFY, output: 'plugins-all-the-way' }]);
    expect(names(turns[2])).toEqual(['retire_text_tools', GREET]);
    expect(result.finalOutput).toBe('Hello, Ada!');
    agentplug.close();
  });

  it('answers a call to a tool kept from before an unload with a NOT_ACTIVE error and its hint', async () => {
    host = await startAgentHost(['com.example.hello']);
    const tools = createAgentplugTools(host.loader);
    await host.loader.unloadPlugin('com.example.hello');
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: [{ name: GREET, args: { name: 'Ada' } }] }),
      () => ({ text: 'the greeter is gone' }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools });
    const result = await run(agent, 'Greet Ada.');

    const error = outputOf(turns[1], GREET);
    expect(error).toMatch(/^NOT_ACTIVE: cannot invoke com\.example\.hello\.greet/);
    expect(error.split('\n').at(-1)).toBe('Hint: Activate the plugin before invoking it.');
    expect(result.finalOutput).toBe('the greeter is gone');
  });

  it('hands the model text for results that are not plain JSON', async () => {
    host = await startAgentHost(['com.example.odd-results']);
    const toolNames = ['moment', 'huge', 'nothing', 'table'].map(
      (name) => `com_example_odd-results__${name}`,
    );
    const { model, turns } = createScriptedAgentsModel([
      () => ({ toolCalls: toolNames.map((name) => ({ name, args: {} })) }),
      () => ({ text: 'read them' }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: createAgentplugTools(host.loader) });
    await run(agent, 'Read them.');

    expect(turns[1]?.toolResults.map((result) => result.output)).toEqual([
      '"2026-01-02T03:04:05.000Z"',
      '1180591620717411303424',
      'null',
      '{"a":1}',
    ]);
  });

  it("passes the run's abort signal to the plugin call", async () => {
    host = await startAgentHost(['com.example.weather']);
    host.forecast.stalled = true;
    const controller = new AbortController();
    const { model } = createScriptedAgentsModel([
      () => {
        setTimeout(() => controller.abort(new Error('the user left')), 300);
        return { toolCalls: [{ name: FORECAST, args: { city: 'Lisbon' } }] };
      },
      () => ({ text: 'never reached' }),
    ]);
    const agent = new Agent({ name: 'Assistant', model, tools: createAgentplugTools(host.loader) });
    const started = performance.now();
    const outcome = await run(agent, 'Weather?', { signal: controller.signal }).then(
      () => 'finished',
      () => 'aborted',
    );
    expect(outcome).toBe('aborted');
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('offers only what the include and exclude filters let through, and non-strict tools when asked', async () => {
    host = await startAgentHost(['com.example.hello', 'com.example.calculator', 'com.example.text-tools']);
    const tools = createAgentplugTools(host.loader, {
      includePlugins: ['com.example.calculator', 'com.example.text-tools'],
      excludeCapabilities: ['arithmetic', 'com.example.text-tools/process'],
    });
    expect(tools.map((candidate) => [candidate.name, candidate.strict])).toEqual([
      [SCIENTIFIC, true],
      ['com_example_text-tools__countWords', true],
      [SLUGIFY, true],
    ]);
    const loose = createAgentplugTools(host.loader, { includeCapabilities: ['scientific'], strict: false });
    expect(loose.map((candidate) => [candidate.name, candidate.strict])).toEqual([[SCIENTIFIC, false]]);
  });
});
