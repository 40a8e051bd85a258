import { PluginLoader } from '@agentplug/loader';
import {
  type AgentHost as SharedAgentHost,
  startAgentHost as startSharedAgentHost,
} from '../../../../tooling/testing/agent-fixtures';

/** A host for one test: the real loader over a private copy of the example plugins. */
export type AgentHost = SharedAgentHost<PluginLoader>;

/** Starts a host with the given plugins active in worker sandboxes. */
export function startAgentHost(pluginIds: readonly string[]): Promise<AgentHost> {
  return startSharedAgentHost(
    (pluginDirectory) => new PluginLoader({ pluginDirectory, defaultIsolation: 'worker' }),
    pluginIds,
  );
}
