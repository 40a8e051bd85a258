import type { PluginMetadata } from './plugin-metadata';
import type { PluginValidationResult } from './validation-result';

/**
 * What the loader, the registry client and the marketplace need of a validator: the contract
 * `@agentplug/validator`'s `PluginValidator` fulfils. A host may pass its own implementation.
 */
export interface PluginValidatorLike {
  /** Validates the plugin folder at `pluginPath` (with its parsed manifest, when the caller has it). */
  validatePlugin(
    pluginPath: string,
    metadata?: PluginMetadata,
  ): Promise<PluginValidationResult> | PluginValidationResult;
}
