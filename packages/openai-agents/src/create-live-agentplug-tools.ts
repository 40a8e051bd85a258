import {
  createToolCatalog,
  DEFAULT_TOOL_CALL_TIMEOUT_MS,
  type ToolCatalogEntry,
  type ToolSource,
} from '@agentplug/models';
import type { Tool } from '@openai/agents';
import type { AgentplugToolsOptions } from './agentplug-tools-options';
import { type AgentplugFunctionTool, createAgentsTool } from './create-agents-tool';

/** Options of {@link createLiveAgentplugTools}. */
export interface LiveAgentplugToolsOptions extends AgentplugToolsOptions {
  /** Tools of the host's own, kept first in the live list. */
  baseTools?: readonly Tool<unknown>[];
}

/** A tool list that follows the loader: give `tools` itself (not a copy) to an `Agent`. */
export interface LiveAgentplugTools {
  /**
   * The live tool list: one array, updated in place the moment plugins are activated,
   * deactivated, reloaded or unloaded. An `Agent` keeps the array it is given and reads it
   * afresh at every turn, so the next turn offers the model what is active then. A copy
   * (`[...tools]`) is a snapshot.
   */
  readonly tools: Tool<unknown>[];
  /** The names of the plugin tools offered now, sorted. */
  toolNames(): string[];
  /** Stops following the loader; `tools` keeps what it had. Idempotent. */
  close(): void;
}

/**
 * The active capabilities of a loader's plugins as a live tool list for the OpenAI Agents SDK
 * that follows their lifecycle while an agent runs: a plugin hot-reloaded between two turns
 * offers its new tools at the next turn, and an unloaded plugin's tools are gone from it (a call
 * already made answers the model with a `NOT_ACTIVE` tool error; the run goes on).
 *
 * @example
 * const agentplug = createLiveAgentplugTools(loader);
 * const agent = new Agent({ name: 'Assistant', instructions: 'Use the tools.', tools: agentplug.tools });
 * const result = await run(agent, 'What is 2 + 2 * 3?');
 */
export function createLiveAgentplugTools(
  source: ToolSource,
  options: LiveAgentplugToolsOptions = {},
): LiveAgentplugTools {
  const settings = {
    timeoutMs: options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS,
    strict: options.strict ?? true,
  };
  const baseTools = [...(options.baseTools ?? [])];
  const tools: Tool<unknown>[] = [...baseTools];
  const catalog = createToolCatalog(
    source,
    (descriptor) => createAgentsTool(source, descriptor, settings),
    options,
  );
  const follow = (entries: readonly ToolCatalogEntry<AgentplugFunctionTool>[]): void => {
    tools.splice(0, tools.length, ...baseTools, ...entries.map((entry) => entry.tool as Tool<unknown>));
  };
  follow(catalog.list());
  const unsubscribe = catalog.subscribe(follow);
  return {
    tools,
    toolNames: () => catalog.list().map((entry) => entry.descriptor.name),
    close() {
      unsubscribe();
      catalog.close();
    },
  };
}
