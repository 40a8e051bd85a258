import { formatToolValue, isJsonValue, type ToolDescriptor, type ToolSource } from '@agentplug/models';
import { dynamicTool, jsonSchema, type Tool } from 'ai';
import { AgentplugToolError } from './agentplug-tool-error';

/**
 * Builds the AI SDK tool of one capability: a dynamic tool with the capability's JSON Schema
 * whose `execute` goes through `source.invoke` (so the loader validates the arguments and the
 * plugin's sandbox and limits apply) with the step's abort signal and the time limit. A failed
 * call throws an {@link AgentplugToolError} (code, message, hint), which the AI SDK hands the
 * model as the tool's error result; the loop goes on. A result that is not plain JSON becomes text.
 */
export function createAiSdkTool(source: ToolSource, descriptor: ToolDescriptor, timeoutMs: number): Tool {
  const { pluginId, capability } = descriptor;
  // Built once per tool: a call without an abort signal passes the same options object every time.
  const limits = Object.freeze({ timeoutMs });
  return dynamicTool({
    title: descriptor.title,
    description: descriptor.description,
    // No `validate` here on purpose: the loader checks the arguments against this schema on every
    // call, and its INVALID_PARAMS error (with each issue) is what the model should read.
    inputSchema: jsonSchema(descriptor.inputSchema),
    metadata: { agentplug: { pluginId, capability, capabilityVersion: descriptor.capabilityVersion } },
    execute: async (input, options) => {
      let value: unknown;
      try {
        const signal = options.abortSignal;
        value = await source.invoke(
          pluginId,
          capability,
          input,
          signal === undefined ? limits : { timeoutMs, signal },
        );
      } catch (error) {
        throw new AgentplugToolError(error);
      }
      return isJsonValue(value) ? value : formatToolValue(value);
    },
  });
}
