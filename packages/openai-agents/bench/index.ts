// What the OpenAI Agents SDK adapter costs: its execute against a bare loader.invoke (and one
// with the same time limit), for a sync and an async capability, a whole tool call through the
// SDK (FunctionTool.invoke) against a hand-written tool() around loader.invoke, and how long its
// live tool list takes to follow a capability change with 100 active plugins. One JSON line per
// figure.
import { PluginLoader } from '@agentplug/loader';
import { createToolName, DEFAULT_TOOL_CALL_TIMEOUT_MS, describeTools } from '@agentplug/models';
import { RunContext, tool } from '@openai/agents';
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
import { createAgentsExecute } from '../src/create-agents-tool';
import { createAgentplugTools, createLiveAgentplugTools } from '../src/index';

const bench = await startBenchLoader((pluginDirectory) => new PluginLoader({ pluginDirectory }));
const { loader } = bench;
try {
  const descriptors = describeTools(loader.listCapabilities());
  const descriptorOf = (capability: string) => {
    const name = createToolName(BENCH_PLUGIN_ID, capability);
    const found = descriptors.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`the bench tool of ${capability} is missing`);
    return found;
  };
  const context = new RunContext();
  await printExecuteOverhead({
    loader,
    label: 'openai-agents tool execute',
    // The execute createAgentsTool gives each tool (the SDK keeps it inside FunctionTool.invoke).
    executeOf: (capability) => {
      const execute = createAgentsExecute(loader, descriptorOf(capability), DEFAULT_TOOL_CALL_TIMEOUT_MS);
      return () => execute(BENCH_PARAMS, context);
    },
    timeoutMs: DEFAULT_TOOL_CALL_TIMEOUT_MS,
    calls: 10_000,
  });
  const descriptor = descriptorOf(BENCH_CAPABILITY);
  const adapterTool = createAgentplugTools(loader).find((candidate) => candidate.name === descriptor.name);
  if (!adapterTool) throw new Error('the bench tool is missing');
  const handWritten = tool({
    name: descriptor.name,
    description: 'Adds two numbers',
    parameters: descriptor.inputSchema as never,
    strict: adapterTool.strict as true,
    execute: async (input: unknown) => String(await loader.invoke(BENCH_PLUGIN_ID, BENCH_CAPABILITY, input)),
  });
  const input = JSON.stringify(BENCH_PARAMS);
  const [adapterInvoke, handInvoke] = await measureCalls(
    [() => adapterTool.invoke(context, input), () => handWritten.invoke(context, input)],
    { calls: 10_000, rounds: 7 },
  );
  printFigure({
    name: 'openai-agents FunctionTool.invoke vs a hand-written tool() around loader.invoke (value = µs added)',
    value: adapterInvoke! - handInvoke!,
    unit: 'µs',
    baseline: handInvoke!,
    ratio: adapterInvoke! / handInvoke!,
  });
  await printLiveUpdate(loader, 'openai-agents live tool list', () => {
    const live = createLiveAgentplugTools(loader);
    return () => live.close();
  });
} finally {
  await bench.close();
}
