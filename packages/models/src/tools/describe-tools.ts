import { createToolName } from './tool-name';
import type { ToolCapabilityEntry, ToolPluginDescription } from './tool-source';

/** One tool as agentplug offers it to a model (over MCP or in an agent framework), with the capability behind it. */
export interface ToolDescriptor {
  /** The tool name, from {@link createToolName}. */
  name: string;
  /** A human-readable title: the plugin's name and the capability's name. */
  title: string;
  /** The capability's description from the manifest (the plugin's, when the capability has none). */
  description: string;
  /** The capability's `parameters` JSON Schema, with `type: "object"` made explicit. */
  inputSchema: { type: 'object'; [key: string]: unknown };
  pluginId: string;
  capability: string;
  /** The capability's version from the manifest. */
  capabilityVersion: string;
}

/** Options of {@link describeTools}. */
export interface DescribeToolsOptions {
  /** Which capabilities become tools (from `createToolFilter`); default all. */
  isOffered?: (pluginId: string, capabilityName: string) => boolean;
  /** The plugin's name and description, for titles and as the fallback description. */
  describePlugin?: (pluginId: string) => ToolPluginDescription['metadata'] | null | undefined;
}

/**
 * Turns the capabilities of active plugins into the tools a model is offered: one per offered
 * capability, sorted by name. When two capabilities would share a name (only possible through a
 * hash collision), the first in plugin id order wins and the other is left out.
 *
 * @example
 * describeTools(loader.listCapabilities(), { isOffered: createToolFilter({ excludeCapabilities: ['delete*'] }) });
 */
export function describeTools(
  entries: readonly ToolCapabilityEntry[],
  options: DescribeToolsOptions = {},
): ToolDescriptor[] {
  const ordered = [...entries].sort(
    (left, right) =>
      compareText(left.pluginId, right.pluginId) || compareText(left.capability.name, right.capability.name),
  );
  const tools = new Map<string, ToolDescriptor>();
  for (const { pluginId, capability } of ordered) {
    if (options.isOffered && !options.isOffered(pluginId, capability.name)) continue;
    const name = createToolName(pluginId, capability.name);
    if (tools.has(name)) continue;
    const plugin = options.describePlugin?.(pluginId);
    const parameters = capability.parameters ?? {};
    tools.set(name, {
      name,
      title: `${plugin?.name ?? pluginId}: ${capability.name}`,
      description: capability.description || plugin?.description || `${capability.name} of ${pluginId}`,
      inputSchema: { ...parameters, type: 'object' },
      pluginId,
      capability: capability.name,
      capabilityVersion: capability.version,
    });
  }
  return [...tools.values()].sort((left, right) => compareText(left.name, right.name));
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
