import { createToolCatalog, DEFAULT_TOOL_CALL_TIMEOUT_MS, type ToolSource } from '@agentplug/models';
import { AgentplugTool } from './agentplug-tool';
import type { AgentplugToolsOptions } from './agentplug-tools-options';

/**
 * The active capabilities of a loader's plugins as LangChain tools, as they are now: one
 * {@link AgentplugTool} per capability, named as the MCP server names it
 * (`com_example_calculator__add`), sorted by name. For tools that follow plugins being
 * activated, reloaded and unloaded while the agent runs, use {@link createAgentplugToolkit}.
 *
 * @example
 * const model = chatModel.bindTools(createAgentplugTools(loader));
 */
export function createAgentplugTools(
  source: ToolSource,
  options: AgentplugToolsOptions = {},
): AgentplugTool[] {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS;
  const catalog = createToolCatalog(
    source,
    (descriptor) => new AgentplugTool(source, descriptor, timeoutMs),
    options,
  );
  catalog.close();
  return catalog.list().map((entry) => entry.tool);
}
