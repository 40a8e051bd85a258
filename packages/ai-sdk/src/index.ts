export { AgentplugToolError } from './agentplug-tool-error';
export type { AgentplugToolsOptions } from './agentplug-tools-options';
export { createAgentplugTools } from './create-agentplug-tools';
export {
  createLiveAgentplugTools,
  type LiveAgentplugTools,
  type LiveAgentplugToolsOptions,
} from './create-live-agentplug-tools';
