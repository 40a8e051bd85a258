import { createToolCatalog, DEFAULT_TOOL_CALL_TIMEOUT_MS, type ToolSource } from '@agentplug/models';
import type { AgentplugToolsOptions } from './agentplug-tools-options';
import { type AgentplugFunctionTool, createAgentsTool } from './create-agents-tool';

/**
 * The active capabilities of a loader's plugins as OpenAI Agents SDK function tools, as they are
 * now, named as the MCP server names them (`com_example_calculator__add`), sorted by name. For
 * tools that follow plugins being activated, reloaded and unloaded while an agent runs, use
 * {@link createLiveAgentplugTools}.
 *
 * @example
 * const agent = new Agent({ name: 'Assistant', tools: createAgentplugTools(loader) });
 */
export function createAgentplugTools(
  source: ToolSource,
  options: AgentplugToolsOptions = {},
): AgentplugFunctionTool[] {
  const settings = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS,
    strict: options.strict ?? true,
  };
  const catalog = createToolCatalog(
    source,
    (descriptor) => createAgentsTool(source, descriptor, settings),
    options,
  );
  catalog.close();
  return catalog.list().map((entry) => entry.tool);
}
