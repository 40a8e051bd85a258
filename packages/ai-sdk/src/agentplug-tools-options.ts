import type { ToolCatalogOptions } from '@agentplug/models';

/** Options of {@link createAgentplugTools} and {@link createLiveAgentplugTools}. */
export interface AgentplugToolsOptions extends ToolCatalogOptions {
  /**
   * A time limit for each tool call, in milliseconds, on top of each plugin's own sandbox limit;
   * a call that runs longer answers the model with a `TIMEOUT` tool error. Default 60000
   * (`DEFAULT_TOOL_CALL_TIMEOUT_MS`).
   */
  timeoutMs?: number;
}
