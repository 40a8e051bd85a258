import { z } from 'zod';
import {
  addCodedIssue,
  isValidPluginId,
  MAX_CONSTRAINT_LENGTH,
  MAX_PLUGIN_ID_LENGTH,
  PLUGIN_ID_PATTERN,
} from './rules';

/** A plugin this plugin needs, in a version range. */
export interface PluginDependency {
  plugin_id: string;
  version_constraint: string;
  optional: boolean;
  [key: string]: unknown;
}

/** A dependency as written in plugin.json. */
export interface PluginDependencyInput {
  plugin_id: string;
  version_constraint?: string;
  optional?: boolean;
  [key: string]: unknown;
}

/** A plugin id field: reverse-DNS, checked with code INVALID_PLUGIN_ID (or `code`). */
export function pluginIdField(code = 'INVALID_PLUGIN_ID'): z.ZodType<string, string> {
  return z
    .string()
    .superRefine((id, context) => {
      if (!isValidPluginId(id)) {
        addCodedIssue(
          context,
          code,
          id.length > MAX_PLUGIN_ID_LENGTH
            ? `a plugin id has at most ${MAX_PLUGIN_ID_LENGTH} characters; this one has ${id.length}`
            : `"${id}" is not a reverse-DNS id (two or more dot-separated labels of a-z, 0-9 and -)`,
        );
      }
    })
    .meta({
      pattern: PLUGIN_ID_PATTERN.source,
      maxLength: MAX_PLUGIN_ID_LENGTH,
      description: 'Reverse-DNS plugin id, e.g. com.example.calculator',
    });
}

/** Schema of {@link PluginDependency}. */
export const PluginDependencySchema: z.ZodType<PluginDependency, PluginDependencyInput> = z.looseObject({
  plugin_id: pluginIdField('INVALID_DEPENDENCY_ID'),
  version_constraint: z
    .string()
    .min(1)
    .max(MAX_CONSTRAINT_LENGTH)
    .default('*')
    .meta({ description: 'Version range: 1.2.3, *, >=1.0.0,<2.0.0, ^1.2.0, ~1.2.0' }),
  optional: z.boolean().default(false),
});

/** The keys a dependency entry is known to have. */
export const DEPENDENCY_KEYS: readonly string[] = ['plugin_id', 'version_constraint', 'optional'];
