// What the OpenAI Agents SDK adapter costs: its execute against a bare loader.invoke, a whole
// tool call through the SDK (FunctionTool.invoke) against a hand-written tool() around
// loader.invoke, and how long its live tool list takes to follow a capability change with 100
// active plugins. One JSON line per figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS, describeTools } from '@agentplug/models';
import { RunContext, tool } from '@openai/agents';
import {
  BENCH_CAPABILITY,
  BENCH_PARAMS,
  BENCH_PLUGIN_ID,
  measureCalls,
  measureListCapabilities,
  measureLiveUpdate,
  printFigure,
  startBenchLoader,
} from '../../../tooling/bench/adapter-bench';
import { createAgentsExecute } from '../src/create-agents-tool';
import { createAgentplugTools, createLiveAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const name = createToolName(BENCH_PLUGIN_ID, BENCH_CAPABILITY);
  const descriptor = describeTools(loader.listCapabilities()).find((candidate) => candidate.name === name);
  const adapterTool = createAgentplugTools(loader).find((candidate) => candidate.name === name);
  if (!descriptor || !adapterTool) throw new Error('the bench tool is missing');
  const execute = createAgentsExecute(loader, descriptor, 60_000);
  const handWritten = tool({
    name,
    description: 'Adds two numbers',
    parameters: descriptor.inputSchema as never,
    strict: adapterTool.strict as true,
    execute: async (input: unknown) => String(await loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, input)),
  });
  const context = new RunContext();
  const input = JSON.stringify(BENCH_PARAMS);
  const [bare, limited, adapterExecute, adapterInvoke, handInvoke] = await measureCalls(
    [
      () => loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS),
      () =>
        loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS, {
          timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
        }),
      () => execute(BENCH_PARAMS, context),
      () => adapterTool.invoke(context, input),
      () => handWritten.invoke(context, input),
    ],
    { calls: 10_000, rounds: 7 },
  );
  printFigure({
    name: 'openai-agents tool execute vs bare loader.invoke (value = µs added, goal < 10)',
    value: adapterExecute! - bare!,
    unit: 'µs',
    baseline: bare!,
    ratio: adapterExecute! / bare!,
  });
  // The adapter passes a time limit on every call (the loader's timer and its promise are most of the
  // figure above): against a loader.invoke with the same limit, what remains is the adapter's own code.
  printFigure({
    name: 'openai-agents tool execute vs loader.invoke with the same time limit (value = µs the adapter itself adds)',
    value: adapterExecute! - limited!,
    unit: 'µs',
    baseline: limited!,
    ratio: adapterExecute! / limited!,
  });
  printFigure({
    name: 'openai-agents FunctionTool.invoke vs a hand-written tool() around loader.invoke (value = µs added)',
    value: adapterInvoke! - handInvoke!,
    unit: 'µs',
    baseline: handInvoke!,
    ratio: adapterInvoke! / handInvoke!,
  });
  const update = await measureLiveUpdate(loader, () => {
    const live = createLiveAgentplugTools(loader);
    return () => live.close();
  });
  const listing = await measureListCapabilities(loader);
  printFigure({
    name: 'openai-agents live tool list update after one capability change, 100 active plugins, vs loader.listCapabilities (value = µs, goal < 1000)',
    value: update,
    unit: 'µs',
    baseline: listing,
    ratio: update / listing,
  });
} finally {
  await bench.close();
}
