export {
  type CompiledSchema,
  compileJsonSchema,
  formatSchemaIssues,
  listSchemaIssues,
  type SchemaIssue,
} from './config/compile-json-schema';
export {
  getOperatorConfigPath,
  OPERATOR_CONFIG_FOLDER_NAME,
  readOperatorConfig,
} from './config/operator-config';
export {
  findUnknownConfigKeys,
  type OperatorConfigLayer,
  type PluginConfigOverride,
  type ResolvePluginConfigOptions,
  resolvePluginConfig,
} from './config/resolve-plugin-config';
export {
  httpStatusForCode,
  isPluginErrorCode,
  type PluginErrorCode,
  type PluginErrorCodeInfo,
  PluginErrorCodes,
} from './errors/error-codes';
export { formatReasons } from './errors/format-reasons';
export {
  PluginError,
  type PluginErrorOptions,
  PluginLoadError,
  PluginValidationError,
  toPluginError,
} from './errors/plugin-error';
export { isJsonObject, mergeJsonObjects } from './json/json-object';
export {
  DEFAULT_UNTRUSTED_JSON_LIMITS,
  type ParseUntrustedJsonOptions,
  parseUntrustedJson,
  type UntrustedJsonLimits,
  type UntrustedJsonProblem,
} from './json/parse-untrusted-json';
export { toSnakeCaseKeys } from './json/snake-case-keys';
export { checkJsonSchema } from './manifest/check-json-schema';
export { listEntryPointCandidates } from './manifest/entry-point-candidates';
export {
  findUnknownKeys,
  formatIssues,
  formatJsonPath,
  type IssueSeverity,
  listIssues,
  type ManifestIssue,
} from './manifest/issues';
export { createDefaultConfig, parseConfig, safeParseConfig } from './manifest/parse-config';
export { parseManifest, type SafeParseResult, safeParseManifest } from './manifest/parse-manifest';
export {
  CONFIG_FILE_NAME,
  DEFAULT_MANIFEST_MAX_BYTES,
  MANIFEST_FILE_NAME,
  parseManifestBytes,
  type ReadDocumentOptions,
  type ReadManifestResult,
  readConfig,
  readManifest,
} from './manifest/read-manifest';
export { findTerminalControlCharacter, isTerminalControlCharacter } from './manifest/terminal-control';
export { isPathInside, type PathInsideOptions } from './paths/is-path-inside';
export { pathExists } from './paths/path-exists';
export {
  getUserDirectories,
  type UserDirectories,
  type UserDirectoriesOptions,
} from './paths/user-directories';
export {
  findRefusedRevocation,
  formatRevocationRecord,
  getRevocationsPath,
  type PluginRevocation,
  REVOCATIONS_FILE_NAME,
  readRevocationRecord,
} from './revocations/revocation-record';
export type { JsonSchemaObject } from './schemas/json-schema-object';
export {
  type PluginMarketplaceInfo,
  PluginMarketplaceInfoSchema,
} from './schemas/marketplace-info';
export {
  type PluginCapability,
  type PluginCapabilityInput,
  PluginCapabilitySchema,
} from './schemas/plugin-capability';
export {
  type PluginConfig,
  type PluginConfigInput,
  PluginConfigSchema,
} from './schemas/plugin-config';
export {
  type PluginDependency,
  type PluginDependencyInput,
  PluginDependencySchema,
} from './schemas/plugin-dependency';
export {
  createConfigJsonSchema,
  createPluginJsonSchema,
} from './schemas/plugin-json-schema';
export {
  MANIFEST_KEYS,
  type PluginMetadata,
  type PluginMetadataInput,
  PluginMetadataSchema,
} from './schemas/plugin-metadata';
export {
  PERMISSION_KINDS,
  type PermissionKind,
  type PluginPermissions,
  type PluginPermissionsInput,
  PluginPermissionsSchema,
} from './schemas/plugin-permissions';
export {
  type PluginState,
  type SerializedPluginState,
  SerializedPluginStateSchema,
  serializePluginState,
} from './schemas/plugin-state';
export { PluginStatus, PluginStatusSchema } from './schemas/plugin-status';
export { PluginType, PluginTypeSchema } from './schemas/plugin-type';
export type { PluginValidatorLike } from './schemas/plugin-validator-like';
export {
  CAPABILITY_NAME_PATTERN,
  isStrictSemver,
  isValidPluginId,
  MAX_CONSTRAINT_LENGTH,
  MAX_PLUGIN_ID_LENGTH,
  MAX_VERSION_LENGTH,
  PLUGIN_ID_PATTERN,
  RESERVED_CAPABILITY_NAMES,
} from './schemas/rules';
export {
  type IsolationMode,
  IsolationModeSchema,
  type SandboxConfig,
  type SandboxConfigInput,
  type SandboxConfigOverride,
  SandboxConfigOverrideSchema,
  SandboxConfigSchema,
  type SandboxLayers,
} from './schemas/sandbox-config';
export {
  type Finding,
  type FindingCapability,
  FindingCapabilitySchema,
  FindingSchema,
  type FindingSeverity,
  isRiskAbove,
  type PluginValidationResult,
  PluginValidationResultSchema,
  RISK_LEVELS,
  type RiskLevel,
  RiskLevelSchema,
  riskLevelForScore,
  type ScoreDeduction,
} from './schemas/validation-result';
export { type DescribeToolsOptions, describeTools, type ToolDescriptor } from './tools/describe-tools';
export { formatToolError } from './tools/format-tool-error';
export { formatToolValue, isJsonValue } from './tools/format-tool-value';
export {
  createToolCatalog,
  DEFAULT_TOOL_CALL_TIMEOUT_MS,
  type ToolCatalog,
  type ToolCatalogEntry,
  type ToolCatalogOptions,
} from './tools/tool-catalog';
export { createToolFilter, type ToolFilterOptions } from './tools/tool-filter';
export { createToolName, MAX_TOOL_NAME_LENGTH, TOOL_NAME_PATTERN } from './tools/tool-name';
export type {
  ToolCapabilityEntry,
  ToolInvokeOptions,
  ToolPluginDescription,
  ToolSource,
} from './tools/tool-source';
