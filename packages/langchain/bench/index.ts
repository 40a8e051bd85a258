// What the LangChain adapter costs: its execute (AgentplugTool._call) against a bare
// loader.invoke, a whole tool call through LangChain against a hand-written tool() around
// loader.invoke, and how long its live toolkit takes to follow a capability change with 100
// active plugins. One JSON line per figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS } from '@agentplug/models';
import type { ToolRunnableConfig } from '@langchain/core/tools';
import { tool } from '@langchain/core/tools';
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
import { createAgentplugToolkit, createAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const name = createToolName(BENCH_PLUGIN_ID, BENCH_CAPABILITY);
  const adapterTool = createAgentplugTools(loader).find((candidate) => candidate.name === name);
  if (!adapterTool) throw new Error('the bench tool is missing');
  // The adapter's own execute: what AgentplugTool adds inside LangChain's tool machinery.
  const execute = (
    adapterTool as unknown as {
      _call(input: unknown, runManager: undefined, config: ToolRunnableConfig): Promise<unknown>;
    }
  )._call.bind(adapterTool);
  const handWritten = tool(
    async (input, config) =>
      String(
        await loader.invoke(
          BENCH_PLUGIN_ID,
          BENCH_CAPABILITY,
          input,
          config.signal ? { signal: config.signal } : {},
        ),
      ),
    { name, description: 'Adds two numbers', schema: adapterTool.schema as Record<string, unknown> },
  );
  const toolCall = { type: 'tool_call' as const, id: 'call-1', name, args: BENCH_PARAMS };
  const [bare, limited, adapterExecute, adapterInvoke, handInvoke] = await measureCalls(
    [
      () => loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS),
      () =>
        loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, BENCH_PARAMS, {
          timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
        }),
      () => execute(BENCH_PARAMS, undefined, { toolCall }),
      () => adapterTool.invoke(toolCall),
      () => handWritten.invoke(toolCall),
    ],
    { calls: 5_000, rounds: 7 },
  );
  printFigure({
    name: 'langchain tool execute (AgentplugTool._call) vs bare loader.invoke (value = µs added, goal < 10)',
    value: adapterExecute! - bare!,
    unit: 'µs',
    baseline: bare!,
    ratio: adapterExecute! / bare!,
  });
  // The adapter passes a time limit on every call (the loader's timer and its promise are most of the
  // figure above): against a loader.invoke with the same limit, what remains is the adapter's own code.
  printFigure({
    name: 'langchain tool execute (AgentplugTool._call) vs loader.invoke with the same time limit (value = µs the adapter itself adds)',
    value: adapterExecute! - limited!,
    unit: 'µs',
    baseline: limited!,
    ratio: adapterExecute! / limited!,
  });
  printFigure({
    name: 'langchain tool.invoke(toolCall) vs a hand-written tool() around loader.invoke (value = µs added)',
    value: adapterInvoke! - handInvoke!,
    unit: 'µs',
    baseline: handInvoke!,
    ratio: adapterInvoke! / handInvoke!,
  });
  const update = await measureLiveUpdate(loader, () => {
    const toolkit = createAgentplugToolkit(loader);
    return () => toolkit.close();
  });
  const listing = await measureListCapabilities(loader);
  printFigure({
    name: 'langchain live toolkit update after one capability change, 100 active plugins, vs loader.listCapabilities (value = µs, goal < 1000)',
    value: update,
    unit: 'µs',
    baseline: listing,
    ratio: update / listing,
  });
} finally {
  await bench.close();
}
