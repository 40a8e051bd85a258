import { z } from 'zod';
import { PluginConfigSchema } from './plugin-config';
import { PluginMetadataSchema } from './plugin-metadata';

/** The `$id` of the published plugin.json schema. */
export const PLUGIN_SCHEMA_ID = 'https://agentplug.dev/schemas/plugin.schema.json';

/**
 * JSON Schema (draft 2020-12) of plugin.json, generated from the zod schemas so the two cannot
 * drift. Editors use it through `"$schema"`; it is shipped as `@agentplug/models/plugin.schema.json`.
 */
export function createPluginJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PluginMetadataSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return { ...schema, $id: PLUGIN_SCHEMA_ID, title: 'agentplug plugin manifest (plugin.json)' };
}

/** JSON Schema (draft 2020-12) of config.json, generated from the zod schema. */
export function createConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PluginConfigSchema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  });
  return { ...schema, title: 'agentplug plugin configuration (config.json)' };
}
