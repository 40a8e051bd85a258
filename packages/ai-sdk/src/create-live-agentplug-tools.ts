import {
  createToolCatalog,
  DEFAULT_TOOL_CALL_TIMEOUT_MS,
  type ToolCatalogEntry,
  type ToolSource,
} from '@agentplug/models';
import type { Tool, ToolSet } from 'ai';
import type { AgentplugToolsOptions } from './agentplug-tools-options';
import { createAiSdkTool } from './create-ai-sdk-tool';

/** Options of {@link createLiveAgentplugTools}. */
export interface LiveAgentplugToolsOptions extends AgentplugToolsOptions {
  /** Tools of the host's own, kept in the live set beside the plugins' (a plugin tool never replaces one). */
  baseTools?: ToolSet;
}

/** A tool set that follows the loader: pass `tools` itself (not a copy) to `generateText`, `streamText` or an agent. */
export interface LiveAgentplugTools {
  /**
   * The live `ToolSet`: one object, updated in place the moment plugins are activated,
   * deactivated, reloaded or unloaded. The AI SDK reads it afresh at every step, so the next
   * step offers the model what is active then. Spreading it (`{ ...tools }`) takes a snapshot.
   */
  readonly tools: ToolSet;
  /** The names of the tools offered now, plugin tools and base tools, sorted. */
  toolNames(): string[];
  /** Stops following the loader; `tools` keeps what it had. Idempotent. */
  close(): void;
}

/**
 * The active capabilities of a loader's plugins as a live AI SDK `ToolSet` that follows their
 * lifecycle while an agent runs: a plugin hot-reloaded between two steps offers its new tools at
 * the next step, and an unloaded plugin's tools are gone from it (a call already made answers
 * the model with a `NOT_ACTIVE` tool error; the loop goes on).
 *
 * @example
 * const agentplug = createLiveAgentplugTools(loader, { excludeCapabilities: ['delete*'] });
 * const result = await generateText({ model, tools: agentplug.tools, stopWhen: stepCountIs(10), prompt });
 * agentplug.close();
 */
export function createLiveAgentplugTools(
  source: ToolSource,
  options: LiveAgentplugToolsOptions = {},
): LiveAgentplugTools {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TOOL_CALL_TIMEOUT_MS;
  const baseTools = options.baseTools ?? {};
  const tools: ToolSet = { ...baseTools };
  const catalog = createToolCatalog(
    source,
    (descriptor): Tool => createAiSdkTool(source, descriptor, timeoutMs),
    options,
  );
  let offered = new Set<string>();
  const follow = (entries: readonly ToolCatalogEntry<Tool>[]): void => {
    const next = new Set<string>();
    for (const { descriptor, tool } of entries) {
      if (Object.hasOwn(baseTools, descriptor.name)) continue;
      next.add(descriptor.name);
      tools[descriptor.name] = tool;
    }
    for (const name of offered) if (!next.has(name)) delete tools[name];
    offered = next;
  };
  follow(catalog.list());
  const unsubscribe = catalog.subscribe(follow);
  return {
    tools,
    toolNames: () => Object.keys(tools).sort(),
    close() {
      unsubscribe();
      catalog.close();
    },
  };
}
