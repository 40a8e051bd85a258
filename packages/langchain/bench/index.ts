// What the LangChain adapter costs: its execute (AgentplugTool._call) against a bare
// loader.invoke (and one with the same time limit), for a sync and an async capability, a whole
// tool call through LangChain against a hand-written tool() around loader.invoke, and how long
// its live toolkit takes to follow a capability change with 100 active plugins. One JSON line
// per figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS } from '@agentplug/models';
import type { ToolRunnableConfig } from '@langchain/core/tools';
import { tool } from '@langchain/core/tools';
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
import { type AgentplugTool, createAgentplugToolkit, createAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const tools = createAgentplugTools(loader);
  const toolOf = (capability: string): AgentplugTool => {
    const name = createToolName(BENCH_PLUGIN_ID, capability);
    const found = tools.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`the bench tool of ${capability} is missing`);
    return found;
  };
  const toolCall = (capability: string) => ({
    type: 'tool_call' as const,
    id: 'call-1',
    name: createToolName(BENCH_PLUGIN_ID, capability),
    args: BENCH_PARAMS,
  });
  await printExecuteOverhead({
    loader,
    label: 'langchain tool execute (AgentplugTool._call)',
    // The adapter's own execute: what AgentplugTool adds inside LangChain's tool machinery.
    executeOf: (capability) => {
      const adapterTool = toolOf(capability) as unknown as {
        _call(input: unknown, runManager: undefined, config: ToolRunnableConfig): Promise<unknown>;
      };
      const config = { toolCall: toolCall(capability) };
      return () => adapterTool._call(BENCH_PARAMS, undefined, config);
    },
    timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
    calls: 5_000,
  });
  const adapterTool = toolOf(BENCH_CAPABILITY);
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
    {
      name: adapterTool.name,
      description: 'Adds two numbers',
      schema: adapterTool.schema as Record<string, unknown>,
    },
  );
  const call = toolCall(BENCH_CAPABILITY);
  const [adapterInvoke, handInvoke] = await measureCalls(
    [() => adapterTool.invoke(call), () => handWritten.invoke(call)],
    { calls: 5_000, rounds: 7 },
  );
  printFigure({
    name: 'langchain tool.invoke(toolCall) vs a hand-written tool() around loader.invoke (value = µs added)',
    value: adapterInvoke! - handInvoke!,
    unit: 'µs',
    baseline: handInvoke!,
    ratio: adapterInvoke! / handInvoke!,
  });
  await printLiveUpdate(loader, 'langchain live toolkit', () => {
    const toolkit = createAgentplugToolkit(loader);
    return () => toolkit.close();
  });
} finally {
  await bench.close();
}
