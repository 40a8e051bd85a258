export { AgentplugTool } from './agentplug-tool';
export { AgentplugToolkit, createAgentplugToolkit } from './agentplug-toolkit';
export type { AgentplugToolsOptions } from './agentplug-tools-options';
export { createAgentplugTools } from './create-agentplug-tools';
