import type { PluginValidatorLike } from '@agentplug/models';
import { PluginValidator } from '@agentplug/validator';

/** The validator used when none is passed: a new `@agentplug/validator` PluginValidator with its defaults. */
export async function createDefaultValidator(): Promise<PluginValidatorLike> {
  return new PluginValidator();
}
