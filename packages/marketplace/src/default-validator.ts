import type { PluginValidatorLike } from '@agentplug/registry-client';

/** The validator used when none is passed: a new `@agentplug/validator` PluginValidator. */
export async function createDefaultValidator(): Promise<PluginValidatorLike | undefined> {
  // Replaced by the real PluginValidator once @agentplug/validator exports it.
  return undefined;
}
