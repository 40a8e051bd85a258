// What the AI SDK adapter costs: a tool call through its execute against a bare loader.invoke
// and against a hand-written dynamicTool around loader.invoke, and how long its live tool set
// takes to follow a capability change with 100 active plugins. One JSON line per figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS } from '@agentplug/models';
import { dynamicTool, jsonSchema } from 'ai';
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
import { createAgentplugTools, createLiveAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const adapterTool = createAgentplugTools(loader)[createToolName(BENCH_PLUGIN_ID, BENCH_CAPABILITY)];
  if (!adapterTool?.execute) throw new Error('the bench tool is missing');
  const handWritten = dynamicTool({
    description: 'Adds two numbers',
    inputSchema: jsonSchema({ type: 'object' }),
    execute: (input, { abortSignal }) =>
      loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, input, abortSignal ? { signal: abortSignal } : {}),
  });
  const options = { toolCallId: 'call-1', messages: [], context: {} } as never;
  const [bare, limited, adapter, hand] = await measureCalls(
    [
      () => loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS),
      () =>
        loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS, {
          timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
        }),
      async () => adapterTool.execute!(BENCH_PARAMS, options),
      async () => handWritten.execute!(BENCH_PARAMS, options),
    ],
    { calls: 20_000, rounds: 7 },
  );
  printFigure({
    name: 'ai-sdk tool execute vs bare loader.invoke (value = µs added, goal < 10)',
    value: adapter! - bare!,
    unit: 'µs',
    baseline: bare!,
    ratio: adapter! / bare!,
  });
  // The adapter passes a time limit on every call (the loader's timer and its promise are most of the
  // figure above): against a loader.invoke with the same limit, what remains is the adapter's own code.
  printFigure({
    name: 'ai-sdk tool execute vs loader.invoke with the same time limit (value = µs the adapter itself adds)',
    value: adapter! - limited!,
    unit: 'µs',
    baseline: limited!,
    ratio: adapter! / limited!,
  });
  printFigure({
    name: 'ai-sdk tool execute vs a hand-written dynamicTool around loader.invoke (value = µs added)',
    value: adapter! - hand!,
    unit: 'µs',
    baseline: hand!,
    ratio: adapter! / hand!,
  });
  const update = await measureLiveUpdate(loader, () => {
    const live = createLiveAgentplugTools(loader);
    return () => live.close();
  });
  const listing = await measureListCapabilities(loader);
  printFigure({
    name: 'ai-sdk live tool set update after one capability change, 100 active plugins, vs loader.listCapabilities (value = µs, goal < 1000)',
    value: update,
    unit: 'µs',
    baseline: listing,
    ratio: update / listing,
  });
} finally {
  await bench.close();
}
