import {
  createToolCatalog,
  DEFAULT_TOOL_CALL_TIMEOUT_MS,
  type ToolCatalog,
  type ToolSource,
} from '@agentplug/models';
import { BaseToolkit } from '@langchain/core/tools';
import { AgentplugTool } from './agentplug-tool';
import type { AgentplugToolsOptions } from './agentplug-tools-options';

/**
 * A LangChain toolkit that follows the loader: `tools` (and `getTools()`) is, at every read,
 * the tools of the plugins active then. Read it at each step of the agent loop (bind the model
 * to `toolkit.getTools()` before each call) and a plugin hot-reloaded between two steps offers
 * its new tools at the next one, while an unloaded plugin's tools are gone. Tools that did not
 * change keep their identity.
 */
export class AgentplugToolkit extends BaseToolkit {
  private readonly catalog: ToolCatalog<AgentplugTool>;

  constructor(source: ToolSource, options: AgentplugToolsOptions = {}) {
    super();
    const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS;
    this.catalog = createToolCatalog(
      source,
      (descriptor) => new AgentplugTool(source, descriptor, timeoutMs),
      options,
    );
  }

  /** The tools of the plugins active now, sorted by name. */
  get tools(): AgentplugTool[] {
    return this.catalog.list().map((entry) => entry.tool);
  }

  /** The tools of the plugins active now, sorted by name. */
  override getTools(): AgentplugTool[] {
    return this.tools;
  }

  /** Calls `listener` with the new tools after each change; returns the unsubscribe function. */
  onChange(listener: (tools: AgentplugTool[]) => void): () => void {
    return this.catalog.subscribe((entries) => listener(entries.map((entry) => entry.tool)));
  }

  /** Stops following the loader; the toolkit keeps the tools it had. Idempotent. */
  close(): void {
    this.catalog.close();
  }
}

/**
 * The active capabilities of a loader's plugins as a live LangChain toolkit (see
 * {@link AgentplugToolkit}).
 *
 * @example
 * const toolkit = createAgentplugToolkit(loader);
 * const reply = await chatModel.bindTools(toolkit.getTools()).invoke(messages); // at every step
 */
export function createAgentplugToolkit(
  source: ToolSource,
  options: AgentplugToolsOptions = {},
): AgentplugToolkit {
  return new AgentplugToolkit(source, options);
}
