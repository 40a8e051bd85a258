// What the AI SDK adapter costs: a tool call through its execute against a bare loader.invoke
// (and one with the same time limit), for a sync and an async capability, against a hand-written
// dynamicTool around loader.invoke, and how long its live tool set takes to follow a capability
// change with 100 active plugins. One JSON line per figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS } from '@agentplug/models';
import { dynamicTool, jsonSchema } from 'ai';
import {
  BENCH_CAPABILITY,
  BENCH_PARAMS,
  BENCH_PLUGIN_ID,
  measureCalls,
  printExecuteOverhead,
  printFigure,
  printLiveUpdate,
  startBenchLoader,
} from '../../../tooling/bench/adapter-bench';
import { createAgentplugTools, createLiveAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const tools = createAgentplugTools(loader);
  const options = { toolCallId: 'call-1', messages: [], context: {} } as never;
  const executeOf = (capability: string): (() => Promise<unknown>) => {
    const execute = tools[createToolName(BENCH_PLUGIN_ID, capability)]?.execute;
    if (!execute) throw new Error(`the bench tool of ${capability} is missing`);
    return async () => execute(BENCH_PARAMS, options);
  };
  await printExecuteOverhead({
    loader,
    label: 'ai-sdk tool execute',
    executeOf,
    timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
    calls: 20_000,
  });
  const handWritten = dynamicTool({
    description: 'Adds two numbers',
    inputSchema: jsonSchema({ type: 'object' }),
    execute: (input, { abortSignal }) =>
      loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, input, abortSignal ? { signal: abortSignal } : {}),
  });
  const [adapter, hand] = await measureCalls(
    [executeOf(BENCH_CAPABILITY), async () => handWritten.execute!(BENCH_PARAMS, options)],
    { calls: 20_000, rounds: 7 },
  );
  printFigure({
    name: 'ai-sdk tool execute vs a hand-written dynamicTool around loader.invoke (value = µs added)',
    value: adapter! - hand!,
    unit: 'µs',
    baseline: hand!,
    ratio: adapter! / hand!,
  });
  await printLiveUpdate(loader, 'ai-sdk live tool set', () => {
    const live = createLiveAgentplugTools(loader);
    return () => live.close();
  });
} finally {
  await bench.close();
}
