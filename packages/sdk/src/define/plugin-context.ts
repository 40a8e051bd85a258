import type { PluginMetadata } from '@agentplug/models';

/** What every handler and lifecycle hook of a defined plugin receives besides its params. */
export interface PluginContext<Config = Record<string, unknown>> {
  /** The parsed plugin.json the loader read. */
  readonly metadata: PluginMetadata;
  /** The plugin's configuration, parsed by the definition's config schema (defaults applied). */
  readonly config: Config;
}
