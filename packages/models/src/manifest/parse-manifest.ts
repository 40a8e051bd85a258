import { formatReasons } from '../errors/format-reasons';
import { PluginError } from '../errors/plugin-error';
import { CAPABILITY_KEYS } from '../schemas/plugin-capability';
import { DEPENDENCY_KEYS } from '../schemas/plugin-dependency';
import { MANIFEST_KEYS, type PluginMetadata, PluginMetadataSchema } from '../schemas/plugin-metadata';
import { PERMISSION_KINDS } from '../schemas/plugin-permissions';
import { checkCrossFieldRules } from './cross-field-rules';
import { findUnknownKeys, listIssues, type ManifestIssue, toManifestIssue } from './issues';
import { checkTerminalControlCharacters } from './terminal-control';

/** What `safeParseManifest` and `safeParseConfig` return: the value, or every issue found. */
export type SafeParseResult<Value> =
  | { success: true; value: Value; warnings: ManifestIssue[] }
  | { success: false; issues: ManifestIssue[]; warnings: ManifestIssue[] };

function unknownKeyIssues(input: Record<string, unknown>): ManifestIssue[] {
  const warnings = findUnknownKeys(input, MANIFEST_KEYS, []);
  const listed = (key: string) => (Array.isArray(input[key]) ? (input[key] as unknown[]) : []);
  listed('capabilities').forEach((capability, index) => {
    warnings.push(...findUnknownKeys(capability, CAPABILITY_KEYS, ['capabilities', index]));
  });
  listed('dependencies').forEach((dependency, index) => {
    warnings.push(...findUnknownKeys(dependency, DEPENDENCY_KEYS, ['dependencies', index]));
  });
  warnings.push(...findUnknownKeys(input.permissions, PERMISSION_KINDS, ['permissions']));
  return warnings;
}

function notAnObject(input: unknown): ManifestIssue {
  const kind = Array.isArray(input) ? 'an array' : input === null ? 'null' : `a ${typeof input}`;
  return {
    code: 'NOT_AN_OBJECT',
    path: '$',
    message: `the document must be a JSON object, not ${kind}`,
    severity: 'error',
  };
}

/**
 * Checks a plugin.json document and returns the parsed manifest with defaults filled, or every
 * issue with its JSON path. Unknown keys are kept and reported as warnings, except a misspelling
 * of a known key the document lacks (`config_shema`), which is an error: it would silently drop
 * what the author meant.
 */
export function safeParseManifest(input: unknown): SafeParseResult<PluginMetadata> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return { success: false, issues: [notAnObject(input)], warnings: [] };
  }
  const record = input as Record<string, unknown>;
  const keyIssues = unknownKeyIssues(record);
  const warnings = keyIssues.filter((issue) => issue.severity === 'warning');
  const parsed = PluginMetadataSchema.safeParse(input, { reportInput: true });
  const issues = parsed.success ? [] : parsed.error.issues.map((issue) => toManifestIssue(issue, input));
  issues.push(...checkCrossFieldRules(record), ...checkTerminalControlCharacters(record));
  issues.push(...keyIssues.filter((issue) => issue.severity === 'error'));
  if (issues.length > 0 || !parsed.success) return { success: false, issues, warnings };
  return { success: true, value: parsed.data, warnings };
}

/**
 * Parses a plugin.json document.
 * @throws PluginError MANIFEST_INVALID, with `details.issues` listing every problem
 * @example
 * const manifest = parseManifest(JSON.parse(await readFile('plugin.json', 'utf8')));
 */
export function parseManifest(input: unknown): PluginMetadata {
  const result = safeParseManifest(input);
  if (!result.success) {
    throw new PluginError(
      'MANIFEST_INVALID',
      formatReasons('plugin.json is invalid', listIssues(result.issues)),
      {
        details: { issues: result.issues, warnings: result.warnings },
      },
    );
  }
  return result.value;
}
