import { createToolCatalog, DEFAULT_TOOL_CALL_TIMEOUT_MS, type ToolSource } from '@agentplug/models';
import type { Tool, ToolSet } from 'ai';
import type { AgentplugToolsOptions } from './agentplug-tools-options';
import { createAiSdkTool } from './create-ai-sdk-tool';

/**
 * The active capabilities of a loader's plugins as an AI SDK `ToolSet`, as they are now: one
 * dynamic tool per capability, named as the MCP server names it (`com_example_calculator__add`).
 * For a tool set that follows plugins being activated, reloaded and unloaded while the agent
 * runs, use {@link createLiveAgentplugTools}.
 *
 * @example
 * const result = await generateText({ model, tools: createAgentplugTools(loader), stopWhen: stepCountIs(5), prompt });
 */
export function createAgentplugTools(source: ToolSource, options: AgentplugToolsOptions = {}): ToolSet {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS;
  const catalog = createToolCatalog(
    source,
    (descriptor): Tool => createAiSdkTool(source, descriptor, timeoutMs),
    options,
  );
  catalog.close();
  return Object.fromEntries(catalog.list().map(({ descriptor, tool }) => [descriptor.name, tool]));
}
