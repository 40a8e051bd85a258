import { createPatternMatcher } from './match-pattern';

/**
 * Which plugins and capabilities become tools, for the MCP server and every agent framework
 * adapter alike. Patterns are glob-ish: `*` matches any run of characters (dots included), `?` one
 * character. A capability pattern without `/` matches the capability name in every plugin
 * (`delete*`); with `/` it matches `<pluginId>/<capability>` (`com.example.files/delete*`).
 * Exclusion wins over inclusion; an absent include list includes all.
 */
export interface ToolFilterOptions {
  /** Offer only plugins whose id matches one of these patterns. */
  includePlugins?: readonly string[];
  /** Never offer plugins whose id matches one of these patterns. */
  excludePlugins?: readonly string[];
  /** Offer only capabilities matching one of these patterns. */
  includeCapabilities?: readonly string[];
  /** Never offer capabilities matching one of these patterns. */
  excludeCapabilities?: readonly string[];
}

/** Compiles the filter options into one predicate over (plugin id, capability name). */
export function createToolFilter(
  options: ToolFilterOptions,
): (pluginId: string, capabilityName: string) => boolean {
  const includePlugin = options.includePlugins ? createPatternMatcher(options.includePlugins) : () => true;
  const excludePlugin = createPatternMatcher(options.excludePlugins ?? []);
  const includeCapability = options.includeCapabilities
    ? createCapabilityMatcher(options.includeCapabilities)
    : () => true;
  const excludeCapability = createCapabilityMatcher(options.excludeCapabilities ?? []);
  return (pluginId, capabilityName) =>
    includePlugin(pluginId) &&
    !excludePlugin(pluginId) &&
    includeCapability(pluginId, capabilityName) &&
    !excludeCapability(pluginId, capabilityName);
}

function createCapabilityMatcher(
  patterns: readonly string[],
): (pluginId: string, capabilityName: string) => boolean {
  const matchQualified = createPatternMatcher(patterns.filter((pattern) => pattern.includes('/')));
  const matchBare = createPatternMatcher(patterns.filter((pattern) => !pattern.includes('/')));
  return (pluginId, capabilityName) =>
    matchBare(capabilityName) || matchQualified(`${pluginId}/${capabilityName}`);
}
