export {
  type IsolationMode,
  type JsonSchemaObject,
  type ManifestIssue,
  type PluginCapability,
  type PluginCapabilityInput,
  type PluginConfig,
  type PluginConfigInput,
  type PluginDependency,
  type PluginDependencyInput,
  PluginError,
  type PluginErrorCode,
  PluginErrorCodes,
  type PluginErrorOptions,
  PluginLoadError,
  type PluginMetadata,
  type PluginMetadataInput,
  type PluginPermissions,
  type PluginPermissionsInput,
  type PluginState,
  PluginStatus,
  PluginType,
  PluginValidationError,
  type PluginValidationResult,
  type RiskLevel,
  type SandboxConfig,
  type SandboxConfigOverride,
} from '@agentplug/models';
export { z } from 'zod';
export { type CapabilityDefinition, defineCapability } from './define/capability-definition';
export {
  type ComposeMiddlewareOptions,
  composeMiddleware,
  type MiddlewareChain,
  type MiddlewareState,
} from './define/compose-middleware';
export {
  type CapabilityInfo,
  isPluginDefinition,
  type PluginDefinitionInfo,
  type PluginHooks,
} from './define/create-definition';
export {
  checkManifest,
  createCapabilities,
  createConfigSchema,
  createManifest,
  type ManifestBase,
} from './define/create-manifest';
export { defineCustom } from './define/define-custom';
export { defineEngine } from './define/define-engine';
export {
  type DefineIntegrationOptions,
  defineIntegration,
  type IntegrationContext,
  type IntegrationDefinition,
} from './define/define-integration';
export {
  type DefineMiddlewareOptions,
  defineMiddleware,
  type MiddlewareDefinition,
  type MiddlewareHandle,
  type MiddlewareNext,
  type MiddlewarePluginInstance,
} from './define/define-middleware';
export {
  type CapabilityDefinitions,
  type CapabilitySchemas,
  type ConfigSchema,
  type DefinedPluginInstance,
  type DefinePluginOptions,
  definePlugin,
  type PluginDefinition,
} from './define/define-plugin';
export { defineTool, type TypedPluginOptions } from './define/define-tool';
export type { PluginContext } from './define/plugin-context';
export type {
  CreatePlugin,
  Plugin,
  PluginConfigValues,
  PluginEntryModule,
  PluginInstance,
} from './types/plugin-entry';
export type { LifecycleHookName, LifecycleHookResult, PluginLifecycle } from './types/plugin-lifecycle';
