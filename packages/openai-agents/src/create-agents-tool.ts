import { formatToolError, formatToolValue, type ToolDescriptor, type ToolSource } from '@agentplug/models';
import { type FunctionTool, tool } from '@openai/agents';
import { isStrictCompatibleSchema } from './strict-schema';

/** A plugin tool as the Agents SDK takes it. */
export type AgentplugFunctionTool = FunctionTool<unknown, never, string>;

/**
 * The tool's `execute`: the call through the loader, the result as text. Built once per tool:
 * a call without a signal passes the same frozen options object every time.
 */
export function createAgentsExecute(
  source: ToolSource,
  descriptor: ToolDescriptor,
  timeoutMs: number,
): (input: unknown, context: unknown, details?: { signal?: AbortSignal }) => Promise<string> {
  const { pluginId, capability } = descriptor;
  const limits = Object.freeze({ timeoutMs });
  return async (input, _context, details) => {
    const signal = details?.signal;
    const value = await source.invoke(
      pluginId,
      capability,
      input,
      signal === undefined ? limits : { timeoutMs, signal },
    );
    return formatToolValue(value);
  };
}

/**
 * Builds the Agents SDK tool of one capability with `tool()`: the capability's JSON Schema as
 * `parameters`, strict mode where the schema allows it, and an `execute` that goes through
 * `source.invoke` (so the loader validates the arguments and the plugin's sandbox and limits
 * apply) with the run's abort signal and the time limit. A failure reaches the model through
 * `errorFunction` as the code, the message and the hint; the run goes on. The result is text:
 * strings as they are, anything else as JSON.
 */
export function createAgentsTool(
  source: ToolSource,
  descriptor: ToolDescriptor,
  options: { timeoutMs: number; strict: boolean },
): AgentplugFunctionTool {
  const common = {
    name: descriptor.name,
    description: descriptor.description,
    execute: createAgentsExecute(source, descriptor, options.timeoutMs),
    errorFunction: (_context: unknown, error: unknown): string => formatToolError(error),
  };
  const parameters = descriptor.inputSchema as never;
  const created = (
    options.strict && isStrictCompatibleSchema(descriptor.inputSchema)
      ? tool({ ...common, parameters, strict: true })
      : tool({ ...common, parameters, strict: false })
  ) as AgentplugFunctionTool;
  // tool() rewrites every character but letters and digits to `_`, which would give
  // `com.example.word-stats` the name of `com.example.word.stats`. The shared names already match
  // what the model APIs accept (^[a-zA-Z0-9_-]{1,64}$), so the tool keeps its MCP name.
  created.name = descriptor.name;
  return created;
}
