import {
  type CompiledSchema,
  compileJsonSchema,
  formatReasons,
  listSchemaIssues,
  type PluginCapability,
  PluginError,
} from '@agentplug/models';

/**
 * The capabilities one loaded instance declares, by name, with each parameter schema compiled on
 * first use. A new instance (load or reload) gets a new table, so a changed schema is never served
 * from the old one.
 */
export class CapabilityTable {
  private readonly declared: Map<string, PluginCapability>;
  private readonly schemas = new Map<string, CompiledSchema>();

  constructor(capabilities: readonly PluginCapability[]) {
    this.declared = new Map(capabilities.map((capability) => [capability.name, capability]));
  }

  /** The declared capability of this name, or undefined. */
  get(name: string): PluginCapability | undefined {
    return this.declared.get(name);
  }

  /** The declared capability names, in manifest order. */
  names(): string[] {
    return [...this.declared.keys()];
  }

  /**
   * Checks `params` against the capability's JSON Schema and returns the value to pass on: a copy
   * with the schema's defaults filled in when it has any (never the caller's object), else `params`.
   * @throws PluginError INVALID_PARAMS with `details.issues`, or when the schema cannot be compiled
   */
  checkParams(pluginId: string, capability: PluginCapability, params: unknown): unknown {
    let schema = this.schemas.get(capability.name);
    if (schema === undefined) {
      schema = compileJsonSchema(capability.parameters, { errorCode: 'INVALID_PARAMS' });
      this.schemas.set(capability.name, schema);
    }
    const value =
      schema.fillsDefaults && typeof params === 'object' && params !== null
        ? structuredClone(params)
        : params;
    const issues = schema.check(value);
    if (issues.length > 0) {
      throw new PluginError(
        'INVALID_PARAMS',
        formatReasons(`invalid params for ${pluginId}.${capability.name}`, listSchemaIssues(issues)),
        { details: { pluginId, capability: capability.name, issues } },
      );
    }
    return value;
  }
}
