export type { AgentplugToolsOptions } from './agentplug-tools-options';
export { createAgentplugTools } from './create-agentplug-tools';
export type { AgentplugFunctionTool } from './create-agents-tool';
export {
  createLiveAgentplugTools,
  type LiveAgentplugTools,
  type LiveAgentplugToolsOptions,
} from './create-live-agentplug-tools';
export { isStrictCompatibleSchema } from './strict-schema';
